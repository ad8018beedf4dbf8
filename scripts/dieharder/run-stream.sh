#!/usr/bin/env bash
# dieharder on a live stream from the entropy pipeline:
#
#   rngseal rng-stream --source SPEC --stage STAGE | dieharder -g 200 -s 1 -d N …
#
# one pipeline per dieharder run, so no test sees bytes another test used
# and nothing is ever re-read (a file is rewound when a test needs more than
# it holds; a live stream just keeps going). See docs/dieharder.md.
#
#   scripts/dieharder/run-stream.sh --source hwrng --stage conditioned -d 0 -d 1 -d 2
#   scripts/dieharder/run-stream.sh --source 'serial:/dev/ttyACM0?driver=truerng' --stage raw -a
set -uo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

usage="usage: $(basename "$0") [--source SPEC] [--stage raw|conditioned] [--rngseal CMD] (-d N … | -a) [options] [-- dieharder args]
  --source SPEC   entropy source(s), as for rngseal serve (default hwrng:/dev/hwrng if readable, else os)
  --stage STAGE   conditioned (default: the DRBG output the service draws from) or raw (health-tested source bytes)
  --rngseal CMD   how to run rngseal (default: node $repo/rng-service/bin/rngseal.js; or \$RNGSEAL)
$dh_usage_common"

source_spec="" stage=conditioned rngseal=${RNGSEAL:-"node $repo/rng-service/bin/rngseal.js"}
args=()
while (($#)); do
  case $1 in
    --source) source_spec=${2:?--source needs a spec}; shift 2 ;;
    --stage) stage=${2:?--stage needs raw or conditioned}; shift 2 ;;
    --rngseal) rngseal=${2:?--rngseal needs a command}; shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
dh_parse_selection "${args[@]}"
if ((${#rest[@]})); then echo "$(basename "$0"): unknown argument ${rest[0]}" >&2; echo "$usage" >&2; exit 2; fi
case $stage in raw|conditioned) ;; *) echo "$(basename "$0"): --stage must be raw or conditioned, got '$stage'" >&2; exit 2 ;; esac
if [[ -z $source_spec ]]; then
  if [[ -r /dev/hwrng ]]; then source_spec=hwrng:/dev/hwrng; else source_spec=os; fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
while IFS= read -r selection; do
  read -ra sel <<<"$selection"
  echo "# $rngseal rng-stream --source '$source_spec' --stage $stage --quiet | $DIEHARDER -g 200 -s 1 ${sel[*]} ${common[*]}"
  # shellcheck disable=SC2086
  $rngseal rng-stream --source "$source_spec" --stage "$stage" --quiet \
    | "$DIEHARDER" -g 200 -s 1 "${sel[@]}" "${common[@]}" > "$work/out" 2> "$work/err"
  statuses=("${PIPESTATUS[@]}")
  cat "$work/out"
  cat "$work/err" >&2
  dh_check "${sel[*]}" "$work/out" "$work/err" "${statuses[1]}" "${statuses[0]}"
done < <(dh_runs)
dh_summary
