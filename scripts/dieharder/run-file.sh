#!/usr/bin/env bash
# dieharder on a captured file (rngseal capture --stage raw|conditioned):
#
#   dieharder -g 201 -f FILE -s 1 -d N …
#
# -s 1 makes every test start at the first byte of the file, so runs are
# reproducible. A test that needs more bytes than the file holds REWINDS it
# and re-tests bytes it has already used: its p-values are then meaningless
# (often a false FAILED). Before running, this estimates each chosen test's
# reads from consumption.tsv (measured with measure-consumption.sh) and
# prints a WARNING when the file is too small; after running, it fails any
# run in which dieharder reported a rewind. See docs/dieharder.md.
#
#   scripts/dieharder/run-file.sh capture.bin -d 0 -d 1 -p 100
set -uo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage="usage: $(basename "$0") FILE (-d N … | -a) [options] [-- dieharder args]
$dh_usage_common"

if (($# == 0)) || [[ $1 == -h || $1 == --help ]]; then echo "$usage"; exit $(( $# == 0 ? 2 : 0 )); fi
file=$1; shift
if [[ ! -f $file ]]; then echo "$(basename "$0"): $file is not a file" >&2; exit 2; fi
dh_parse_selection "$@"
if ((${#rest[@]})); then echo "$(basename "$0"): unknown argument ${rest[0]}" >&2; echo "$usage" >&2; exit 2; fi
size=$(stat -c %s "$file")

# Estimated bytes each run reads: fixed + psamples × per-psample (-a: the test's default × -m).
estimate() { # selection words → "bytes name" lines
  local d="" n="" p="" a=0
  while (($#)); do case $1 in -d) d=$2; shift 2 ;; -n) n=$2; shift 2 ;; -p) p=$2; shift 2 ;; -a) a=1; shift ;; *) shift ;; esac; done
  awk -F'\t' -v d="$d" -v n="$n" -v p="$p" -v a="$a" -v m="${multiply:-1}" '
    /^#/ { next }
    (a || $1 == d) && (n == "" || $2 == n || $2 == "-") {
      ps = a ? $4 * m : (p != "" ? p : $4)
      printf "%.0f %s%s (%d psamples)\n", $6 + ps * $5, $3, ($2 == "-" ? "" : " -n " $2), ps
    }' "$here/consumption.tsv"
}

short=()
while IFS= read -r selection; do
  read -ra sel <<<"$selection"
  while read -r bytes what; do
    [[ -z $bytes ]] && continue
    if ((bytes > size)); then short+=("$(printf '%14s bytes  %s' "$bytes" "$what")"); fi
  done < <(estimate "${sel[@]}")
done < <(dh_runs)
if ((${#short[@]})); then
  {
    echo "#############################################################################"
    echo "# WARNING: $file holds $size bytes, but these tests read more and will REWIND"
    echo "# it — re-testing bytes they have already used, which makes their p-values"
    echo "# meaningless (false FAILED results are typical). Estimated reads:"
    for s in "${short[@]}"; do echo "#   $s"; done
    echo "# Capture a larger file (rngseal capture --bytes N) or test a live stream"
    echo "# (scripts/dieharder/run-stream.sh). Runs that rewind are reported as errors."
    echo "#############################################################################"
  } >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while IFS= read -r selection; do
  read -ra sel <<<"$selection"
  echo "# $DIEHARDER -g 201 -f $file -s 1 ${sel[*]} ${common[*]}"
  "$DIEHARDER" -g 201 -f "$file" -s 1 "${sel[@]}" "${common[@]}" > "$work/out" 2> "$work/err"
  status=$?
  cat "$work/out"
  cat "$work/err" >&2
  dh_check "${sel[*]}" "$work/out" "$work/err" "$status"
done < <(dh_runs)
dh_summary
