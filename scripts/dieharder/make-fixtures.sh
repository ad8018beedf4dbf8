#!/usr/bin/env bash
# Regenerates certification/test/fixtures/dieharder/: real dieharder output
# (stdout and stderr kept apart, exit status in cases.json) for the parser
# tests. Inputs are deterministic (sha256-stream.mjs), so the tables are
# reproducible except for the Seed column and rands/second, which dieharder
# takes from the clock. About 15 s on one core.
#
#   bash scripts/dieharder/make-fixtures.sh
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../.." && pwd)/certification/test/fixtures/dieharder
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
ln -s "$here/sha256-stream.mjs" sha256-stream.mjs
stream="node sha256-stream.mjs"
$stream --seed file --bytes $((24 << 20)) > stream.bin   # 24 MiB: enough for operm5 at -p 5
$stream --seed small --bytes 100000 > small.bin            # rewound by birthdays at -p 10
$stream --seed tiny --bytes 32 > tiny.bin                  # under dieharder's 16-word minimum

cases=()
# name | shell command (run in $work; file names relative so the output does not hold temp paths)
add() { cases+=("$1|$2"); }
add stdin-birthdays   "$stream --seed 1 | dieharder -g 200 -d 0 -p 10 -s 1"
add stdin-sts-serial  "$stream --seed 2 | dieharder -g 200 -d 102 -p 5 -s 1"
add stdin-craps       "$stream --seed 3 | dieharder -g 200 -d 16 -p 5 -s 1"
add stdin-resolve-y1  "$stream --seed 4 | dieharder -g 200 -d 0 -p 20 -s 1 -Y 1 -k 2 -W 0.45 -P 220"
add file-operm5       "dieharder -g 201 -f stream.bin -d 1 -p 5 -s 1"
add file-bitdist-n3   "dieharder -g 201 -f stream.bin -d 200 -n 3 -p 5 -s 1"
add error-unknown-name   "$stream --seed 1 | dieharder -g 200 -d no_such_test -s 1"
add error-unknown-number "$stream --seed 1 | dieharder -g 200 -d 999 -s 1"
add error-missing-file   "dieharder -g 201 -f does-not-exist.bin -d 0 -s 1"
add error-small-file     "dieharder -g 201 -f tiny.bin -d 0 -s 1"
add error-rewound        "dieharder -g 201 -f small.bin -d 0 -p 10 -s 1"
add error-stdin-eof      "$stream --seed 1 --bytes 100000 | dieharder -g 200 -d 0 -p 10 -s 1"

json="["
for c in "${cases[@]}"; do
  name=${c%%|*}
  cmd=${c#*|}
  bash -c "$cmd" > "$out/$name.stdout" 2> "$out/$name.stderr"
  status=$?
  json+=$'\n'"  {\"name\": \"$name\", \"status\": $status, \"command\": \"${cmd//\"/\\\"}\"},"
  echo "$name: exit $status" >&2
done
json="${json%,}"$'\n]\n'
printf '%s' "$json" | sed "s#node sha256-stream.mjs#node scripts/dieharder/sha256-stream.mjs#g" > "$out/cases.json"
