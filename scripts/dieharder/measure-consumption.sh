#!/usr/bin/env bash
# Measures how many bytes each dieharder test reads from a -g 201 file at
# -s 1, the way run-file.sh runs it, and writes consumption.tsv (which
# run-file.sh uses to warn before a file would be rewound).
#
# Method: run the test with -p 1 and -p 11 on a small file (1 MiB, from
# sha256-stream.mjs) and read dieharder's own "# The file file_input_raw was
# rewound N times" line. With -s 1 the file is reopened at the start of the
# test, so N counts only the test's own reads: it read between N and N+1
# files' worth. We record the midpoint (±0.5 MiB per run), and
# per_psample = (c(11) - c(1)) / 10 (±0.1 MiB), fixed = c(1) - per_psample
# (clamped at 0).
# Tests whose reads depend on the data (craps, fill tree) are estimates.
#
# Rerun after a dieharder upgrade (about 3 minutes on one core):
#   nice bash scripts/dieharder/measure-consumption.sh > scripts/dieharder/consumption.tsv
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dieharder=${DIEHARDER:-dieharder}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file=$work/stream.bin
size=$((1 << 20))
node "$here/sha256-stream.mjs" --seed measure --bytes "$size" > "$file"

# test-number psamples_std name [ntuples run by -a]
tests=(
  "0 100 diehard_birthdays" "1 100 diehard_operm5" "2 100 diehard_rank_32x32" "3 100 diehard_rank_6x8"
  "4 100 diehard_bitstream" "5 100 diehard_opso" "6 100 diehard_oqso" "7 100 diehard_dna"
  "8 100 diehard_count_1s_stream" "9 100 diehard_count_1s_byte" "10 100 diehard_parking_lot"
  "11 100 diehard_2dsphere" "12 100 diehard_3dsphere" "13 100 diehard_squeeze" "14 100 diehard_sums"
  "15 100 diehard_runs" "16 100 diehard_craps" "17 100 marsaglia_tsang_gcd"
  "100 100 sts_monobit" "101 100 sts_runs" "102 100 sts_serial"
  "200 100 rgb_bitdist 1 2 3 4 5 6 7 8 9 10 11 12" "201 1000 rgb_minimum_distance 2 3 4 5"
  "202 100 rgb_permutations 2 3 4 5" "203 100 rgb_lagged_sum $(seq -s ' ' 0 32)"
  "204 1000 rgb_kstest_test" "205 1 dab_bytedistrib" "206 1 dab_dct" "207 1 dab_filltree"
  "208 1 dab_filltree2" "209 1 dab_monobit2"
)

consumed() { # test ntuple psamples -> bytes (midpoint estimate)
  local args=(-g 201 -f "$file" -s 1 -d "$1" -p "$3")
  [[ $2 != - ]] && args+=(-n "$2")
  local rewinds
  rewinds=$("$dieharder" "${args[@]}" 2>&1 >/dev/null | sed -n 's/.*was rewound \([0-9]*\) times.*/\1/p' | tail -1)
  echo $(( ${rewinds:-0} * size + size / 2 ))
}

printf '# test\tntuple\tname\tpsamples_std\tbytes_per_psample\tbytes_fixed\n'
printf '# measured with %s on %s, file %d bytes, -s 1; see measure-consumption.sh\n' "$("$dieharder" -l 2>/dev/null | sed -n 's/.*dieharder version \([^ ]*\).*/\1/p')" "$(date -u +%Y-%m-%d)" "$size"
for entry in "${tests[@]}"; do
  read -r num pstd name ntuples <<<"$entry"
  for nt in ${ntuples:--}; do
    c1=$(consumed "$num" "$nt" 1)
    c11=$(consumed "$num" "$nt" 11)
    per=$(((c11 - c1) / 10)); ((per < 0)) && per=0
    fixed=$((c1 - per)); ((fixed < 0)) && fixed=0
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$num" "$nt" "$name" "$pstd" "$per" "$fixed"
  done
done
