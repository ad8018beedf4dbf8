# Shared by run-stream.sh and run-file.sh (sourced, not run).
#
# Parses the dieharder selection (-d N … | -a, -p, -t, -n, -m, -k, -W, -X,
# and anything after --), runs one dieharder per -d (rgb_bitdist and
# rgb_minimum_distance once per ntuple when no -n is given: dieharder
# refuses the first without -n and prints a meaningless p = 1 for the
# second), and checks each run's output, because dieharder exits 0 after
# its own errors.
#
# Exit status of the wrappers: 0 all PASSED; 1 a FAILED result; 2 usage;
# 3 dieharder (or the stream) reported an error, crashed or rewound a file;
# 4 WEAK results and no FAILED (resolve them with run.mjs).

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
DIEHARDER=${DIEHARDER:-dieharder}

tests=()      # -d values
all=0         # -a
psamples=""   # -p
common=()     # -t -n -m -k -W -X and pass-through args
ntuple=""
multiply=""

dh_usage_common='  -d N        a dieharder test (number or name); repeat for several (one dieharder run each)
  -a          all tests, as dieharder -a (psamples are each test'"'"'s default × -m; -p is ignored)
  -p N        psamples per test (default: the test'"'"'s own, usually 100)
  -t N, -n N, -m N, -k N, -W X, -X X   passed to dieharder
  -- ARGS     further dieharder arguments
  Every run uses -s 1. Exit status: 0 all PASSED, 1 FAILED, 2 usage, 3 error/rewind, 4 WEAK only.'

# dh_parse_selection "$@": consumes the dieharder options; leaves the rest in rest=()
dh_parse_selection() {
  rest=()
  while (($#)); do
    case $1 in
      -d) tests+=("${2:?-d needs a test number or name}"); shift 2 ;;
      -a) all=1; shift ;;
      -p) psamples=${2:?-p needs a number}; shift 2 ;;
      -n) ntuple=${2:?-n needs a number}; common+=(-n "$2"); shift 2 ;;
      -m) multiply=${2:?-m needs a number}; common+=(-m "$2"); shift 2 ;;
      -t|-k|-W|-X) common+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
      -s|-g|-f|-Y) echo "$(basename "$0"): $1 is set by the wrapper (-s 1; -g/-f by the input; no -Y: use run.mjs to resolve WEAK)" >&2; exit 2 ;;
      --) shift; common+=("$@"); break ;;
      *) rest+=("$1"); shift ;;
    esac
  done
  if ((all)) && ((${#tests[@]})); then echo "$(basename "$0"): give -d tests or -a, not both" >&2; exit 2; fi
  if ((!all)) && ((!${#tests[@]})); then echo "$(basename "$0"): name tests with -d N (repeatable) or -a" >&2; exit 2; fi
}

# dh_number NAME-OR-NUMBER: the test number, from consumption.tsv's names
dh_number() {
  if [[ $1 =~ ^[0-9]+$ ]]; then echo "$1"; return; fi
  awk -F'\t' -v n="$1" '!/^#/ && $3 == n { print $1; exit }' "$here/consumption.tsv"
}

# dh_runs: one line per dieharder run, the -d/-n/-p arguments it needs
dh_runs() {
  if ((all)); then echo "-a"; return; fi
  local t num nt
  for t in "${tests[@]}"; do
    num=$(dh_number "$t")
    if [[ -z $ntuple && ( $num == 200 || $num == 201 ) ]]; then
      for nt in $(awk -F'\t' -v d="$num" '!/^#/ && $1 == d { print $2 }' "$here/consumption.tsv"); do
        echo "-d $num -n $nt${psamples:+ -p $psamples}"
      done
    else
      echo "-d ${num:-$t}${psamples:+ -p $psamples}"
    fi
  done
}

passed=0 weak=0 failed=0 errors=0
weak_lines=() failed_lines=() error_lines=()

# dh_check LABEL OUT ERR DIEHARDER_STATUS [PRODUCER_STATUS]: tallies one run's results and errors.
dh_check() {
  local label=$1 out=$2 err=$3 status=$4 producer=${5:-0} problem=""
  if grep -qE '^#[[:space:]]*[a-z_]+\(\):[[:space:]]*Error|^[[:space:]]*Error|^\*\*\* Error' "$out" "$err" 2>/dev/null; then
    problem=$(grep -hE 'Error' "$out" "$err" | head -3 | tr '\n' ' ')
  elif grep -qE 'was rewound [1-9][0-9]* times' "$err"; then
    problem="the file was REWOUND ($(grep -ohE 'rewound [0-9]+ times' "$err" | tail -1)): the test re-read bytes it had already used; its p-values are NOT valid"
  elif ((status != 0)); then
    problem="dieharder exited with status $status$( ((status == 139)) && echo ' (segmentation fault: unknown test number?)')"
  elif ! grep -qE '\|[[:space:]]*(PASSED|WEAK|FAILED)[[:space:]]*\|' "$out"; then
    problem="dieharder printed no results"
  fi
  if ((producer != 0)); then problem="${problem:+$problem; }the stream ended with status $producer (see its message above)"; fi
  if [[ -n $problem ]]; then
    errors=$((errors + 1))
    echo "" >&2
    echo "ERROR ($label): $problem" >&2
    error_lines+=("$label: $problem")
    return
  fi
  local line
  while IFS= read -r line; do
    case $line in
      *"|  PASSED  |"*) passed=$((passed + 1)) ;;
      *"|   WEAK   |"*) weak=$((weak + 1)); weak_lines+=("$line") ;;
      *"|  FAILED  |"*) failed=$((failed + 1)); failed_lines+=("$line") ;;
    esac
  done < "$out"
}

dh_summary() {
  echo "#=============================================================================#"
  echo "# $(basename "$0"): $passed PASSED, $weak WEAK, $failed FAILED, $errors run(s) with errors"
  local l
  for l in "${error_lines[@]}"; do echo "# ERROR:  $l"; done
  for l in "${failed_lines[@]}"; do echo "# FAILED: $l"; done
  for l in "${weak_lines[@]}"; do echo "# WEAK:   $l"; done
  if ((weak)); then
    echo "# WEAK is expected about once per 100 results from a perfect generator. Resolve it by rerunning"
    echo "# with more psamples: node scripts/dieharder/run.mjs … --resolve (docs/dieharder.md)."
  fi
  if ((errors)); then return 3; elif ((failed)); then return 1; elif ((weak)); then return 4; fi
  return 0
}
