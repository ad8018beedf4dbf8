/**
 * @module dieharder/tests
 * The tests of dieharder 3.31.1 (`dieharder -l`): number, short name as
 * the table prints it, default psamples, and whether `-a` runs it once per
 * ntuple (so each ntuple is its own test run, and a rerun needs `-n`).
 * From the test definitions in libdieharder (include/dieharder/*.h) and
 * dieharder/run_all_tests.c.
 */

export interface DieharderTest {
  readonly number: number;
  readonly name: string;
  readonly psamplesStd: number;
  /** ntuples `-a` runs one by one (rgb_bitdist 1–12, rgb_minimum_distance 2–5, rgb_permutations 2–5, rgb_lagged_sum 0–32). */
  readonly ntuples?: readonly number[];
  /**
   * Meaningless without -n: dieharder refuses rgb_bitdist without it ("Can only
   * test distribution of positive ntuples") and rgb_minimum_distance runs with
   * ntuple 0 and prints p = 1 (FAILED). A run without -n runs each of `ntuples`.
   */
  readonly needsNtuple?: boolean;
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const DIEHARDER_TESTS: readonly DieharderTest[] = [
  { number: 0, name: 'diehard_birthdays', psamplesStd: 100 },
  { number: 1, name: 'diehard_operm5', psamplesStd: 100 },
  { number: 2, name: 'diehard_rank_32x32', psamplesStd: 100 },
  { number: 3, name: 'diehard_rank_6x8', psamplesStd: 100 },
  { number: 4, name: 'diehard_bitstream', psamplesStd: 100 },
  { number: 5, name: 'diehard_opso', psamplesStd: 100 },
  { number: 6, name: 'diehard_oqso', psamplesStd: 100 },
  { number: 7, name: 'diehard_dna', psamplesStd: 100 },
  { number: 8, name: 'diehard_count_1s_stream', psamplesStd: 100 },
  { number: 9, name: 'diehard_count_1s_byte', psamplesStd: 100 },
  { number: 10, name: 'diehard_parking_lot', psamplesStd: 100 },
  { number: 11, name: 'diehard_2dsphere', psamplesStd: 100 },
  { number: 12, name: 'diehard_3dsphere', psamplesStd: 100 },
  { number: 13, name: 'diehard_squeeze', psamplesStd: 100 },
  { number: 14, name: 'diehard_sums', psamplesStd: 100 },
  { number: 15, name: 'diehard_runs', psamplesStd: 100 },
  { number: 16, name: 'diehard_craps', psamplesStd: 100 },
  { number: 17, name: 'marsaglia_tsang_gcd', psamplesStd: 100 },
  { number: 100, name: 'sts_monobit', psamplesStd: 100 },
  { number: 101, name: 'sts_runs', psamplesStd: 100 },
  { number: 102, name: 'sts_serial', psamplesStd: 100 },
  { number: 200, name: 'rgb_bitdist', psamplesStd: 100, ntuples: range(1, 12), needsNtuple: true },
  { number: 201, name: 'rgb_minimum_distance', psamplesStd: 1000, ntuples: range(2, 5), needsNtuple: true },
  { number: 202, name: 'rgb_permutations', psamplesStd: 100, ntuples: range(2, 5) },
  { number: 203, name: 'rgb_lagged_sum', psamplesStd: 100, ntuples: range(0, 32) },
  { number: 204, name: 'rgb_kstest_test', psamplesStd: 1000 },
  { number: 205, name: 'dab_bytedistrib', psamplesStd: 1 },
  { number: 206, name: 'dab_dct', psamplesStd: 1 },
  { number: 207, name: 'dab_filltree', psamplesStd: 1 },
  { number: 208, name: 'dab_filltree2', psamplesStd: 1 },
  { number: 209, name: 'dab_monobit2', psamplesStd: 1 },
];

/**
 * The test a table row names. dieharder prints names with `%20.20s`, so
 * `diehard_count_1s_stream` appears as `diehard_count_1s_str`.
 */
export function testByName(printed: string): DieharderTest | undefined {
  const name = printed.trim();
  return DIEHARDER_TESTS.find((t) => t.name === name) ?? (name.length === 20 ? DIEHARDER_TESTS.find((t) => t.name.startsWith(name)) : undefined);
}

export function testByNumber(n: number): DieharderTest | undefined {
  return DIEHARDER_TESTS.find((t) => t.number === n);
}
