/**
 * @module health/fips140
 * The FIPS 140-2 §4.9.1 statistical random number generator tests, with the
 * bounds of FIPS 140-2 Change Notice 1 (2001-10-10) that rngd/rngtest use,
 * plus the §4.9.2 continuous random number generator test as rngtest runs
 * it (32-bit words).
 *
 * Each 20,000-bit block (2,500 bytes, bits taken most significant first) is
 * tested on its own:
 * - Monobit: the number of ones X passes if 9,725 < X < 10,275.
 * - Poker: with f[i] the counts of the 5,000 4-bit nibbles,
 *   X = 16/5000 · Σf[i]² − 5000 passes if 2.16 < X < 46.17. Σf[i]² is an
 *   integer, so this is exactly 1,563,176 ≤ Σf[i]² ≤ 1,576,928 and is
 *   tested that way, with no floating point.
 * - Runs: the maximal runs of zeros and of ones of lengths 1, 2, 3, 4, 5
 *   and ≥ 6 must each lie in [2315, 2685], [1114, 1386], [527, 723],
 *   [240, 384], [103, 209], [103, 209], all twelve counts. Runs start and
 *   end inside the block: a run that began in the previous block starts
 *   afresh at this block's first bit.
 * - Long run: fails if any run, of zeros or ones, is 26 bits or longer.
 * - Continuous run: the block is read as 625 aligned 32-bit words, each
 *   compared with the one before, across block boundaries; any equal pair
 *   fails. The first word ever seen only primes the comparison (§4.9.2:
 *   "the first n-bit block … shall not be used, but shall be saved").
 *
 * A block passes when all five pass. Counters accumulate the way rngtest
 * prints them ("FIPS 140-2 successes/failures" and one line per test).
 */

import { checkSamples } from './failure.js';

export const FIPS140_BLOCK_BYTES = 2500;

const MONOBIT_MIN = 9725; // exclusive
const MONOBIT_MAX = 10275; // exclusive
const POKER_MIN_SUM = 1563176; // inclusive: 16/5000·1563176 − 5000 = 2.1632 > 2.16
const POKER_MAX_SUM = 1576928; // inclusive: 16/5000·1576928 − 5000 = 46.1696 < 46.17
/** [min, max] inclusive for runs of length 1, 2, 3, 4, 5 and ≥ 6. */
const RUN_BOUNDS: ReadonlyArray<readonly [number, number]> = [
  [2315, 2685],
  [1114, 1386],
  [527, 723],
  [240, 384],
  [103, 209],
  [103, 209],
];
const LONG_RUN = 26;

export interface Fips140BlockResult {
  /** All five tests passed. */
  readonly passed: boolean;
  readonly monobit: boolean;
  readonly poker: boolean;
  readonly runs: boolean;
  readonly longRun: boolean;
  readonly continuousRun: boolean;
  /** Ones in the block (monobit statistic). */
  readonly ones: number;
  /** Σ f[i]² over the 16 nibble counts; the poker X is 16/5000·this − 5000. */
  readonly pokerSumOfSquares: number;
  /** Runs of zeros of length 1, 2, 3, 4, 5, ≥ 6. */
  readonly zeroRuns: readonly number[];
  /** Runs of ones of length 1, 2, 3, 4, 5, ≥ 6. */
  readonly oneRuns: readonly number[];
  readonly longestRun: number;
}

/** Cumulative counts, named after rngtest's output lines. */
export interface Fips140Counts {
  /** "FIPS 140-2 successes": blocks that passed every test. */
  successes: number;
  /** "FIPS 140-2 failures": blocks that failed at least one test. */
  failures: number;
  /** Blocks that failed each test. */
  monobit: number;
  poker: number;
  runs: number;
  longRun: number;
  continuousRun: number;
}

/** Ones in each byte value. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => {
  let n = 0;
  for (let x = v; x; x >>>= 1) n += x & 1;
  return n;
});

export class Fips140Battery {
  private lastWord: number | null;
  private readonly tally: Fips140Counts = {
    successes: 0,
    failures: 0,
    monobit: 0,
    poker: 0,
    runs: 0,
    longRun: 0,
    continuousRun: 0,
  };

  /**
   * @param primingWord 4 bytes the continuous test compares the first word
   *   of the first block with (rngtest reads them before its first block).
   *   Without it, the first word of the first block only primes the test.
   */
  constructor(primingWord?: Uint8Array) {
    if (primingWord === undefined) {
      this.lastWord = null;
    } else {
      if (!(primingWord instanceof Uint8Array) || primingWord.length !== 4) {
        throw new TypeError('primingWord: expected a Uint8Array of 4 bytes');
      }
      this.lastWord = wordAt(primingWord, 0);
    }
  }

  /** A copy of the cumulative counts. */
  get counts(): Fips140Counts {
    return { ...this.tally };
  }

  /**
   * Tests one 2,500-byte block and adds it to the counts.
   * @throws RangeError naming `block` unless it is exactly 2,500 bytes.
   */
  testBlock(block: Uint8Array): Fips140BlockResult {
    checkSamples(block);
    if (block.length !== FIPS140_BLOCK_BYTES) {
      throw new RangeError(`block: must be ${FIPS140_BLOCK_BYTES} bytes (20,000 bits), got ${block.length}`);
    }
    const continuousRun = this.continuousTest(block);
    const { ones, pokerSumOfSquares } = countOnesAndNibbles(block);
    const { zeroRuns, oneRuns, longestRun } = countRuns(block);
    const monobit = ones > MONOBIT_MIN && ones < MONOBIT_MAX;
    const poker = pokerSumOfSquares >= POKER_MIN_SUM && pokerSumOfSquares <= POKER_MAX_SUM;
    const runs = runsWithinBounds(zeroRuns) && runsWithinBounds(oneRuns);
    const longRun = longestRun < LONG_RUN;
    const passed = monobit && poker && runs && longRun && continuousRun;
    const result: Fips140BlockResult = {
      passed,
      monobit,
      poker,
      runs,
      longRun,
      continuousRun,
      ones,
      pokerSumOfSquares,
      zeroRuns,
      oneRuns,
      longestRun,
    };
    this.record(result);
    return result;
  }

  /** §4.9.2 on 32-bit words: false if any word equals its predecessor. */
  private continuousTest(block: Uint8Array): boolean {
    let ok = true;
    let last = this.lastWord;
    for (let i = 0; i < FIPS140_BLOCK_BYTES; i += 4) {
      const word = wordAt(block, i);
      if (word === last) ok = false;
      last = word;
    }
    this.lastWord = last;
    return ok;
  }

  private record(result: Fips140BlockResult): void {
    const t = this.tally;
    if (result.passed) t.successes++;
    else t.failures++;
    if (!result.monobit) t.monobit++;
    if (!result.poker) t.poker++;
    if (!result.runs) t.runs++;
    if (!result.longRun) t.longRun++;
    if (!result.continuousRun) t.continuousRun++;
  }
}

/** The 4 bytes at `offset` as one unsigned number (byte order is irrelevant to equality). */
function wordAt(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

function countOnesAndNibbles(block: Uint8Array): { ones: number; pokerSumOfSquares: number } {
  const nibbles = new Int32Array(16);
  let ones = 0;
  for (let i = 0; i < block.length; i++) {
    const b = block[i]!;
    ones += POPCOUNT[b]!;
    nibbles[b >>> 4]!++;
    nibbles[b & 15]!++;
  }
  let pokerSumOfSquares = 0;
  for (const f of nibbles) pokerSumOfSquares += f * f;
  return { ones, pokerSumOfSquares };
}

/**
 * Per byte value: the length of its leading (MSB-side) and trailing runs,
 * and the bins (bit·6 + length − 1) of the runs wholly inside it. Interior
 * runs are at most 6 bits long, so they never need the ≥ 6 bin clamp nor
 * the long-run check. This lets countRuns() step a byte at a time instead
 * of a bit at a time; uniform bytes (0x00, 0xff) are one run and are
 * handled before the tables are used.
 */
const RUN_TABLES = (() => {
  const lead = new Uint8Array(256);
  const trail = new Uint8Array(256);
  const start = new Uint16Array(257);
  const inner: number[] = [];
  for (let v = 0; v < 256; v++) {
    const runs: Array<[bit: number, length: number]> = [];
    for (let shift = 7; shift >= 0; shift--) {
      const bit = (v >>> shift) & 1;
      const last = runs[runs.length - 1];
      if (last && last[0] === bit) last[1]++;
      else runs.push([bit, 1]);
    }
    lead[v] = runs[0]![1];
    trail[v] = runs[runs.length - 1]![1];
    start[v] = inner.length;
    for (const [bit, length] of runs.slice(1, -1)) inner.push(bit * 6 + length - 1);
  }
  start[256] = inner.length;
  return { lead, trail, start, inner: Uint8Array.from(inner) };
})();

/** Maximal runs in the block, bits MSB first, binned by length 1..5 and ≥ 6. */
function countRuns(block: Uint8Array): { zeroRuns: number[]; oneRuns: number[]; longestRun: number } {
  const { lead, trail, start, inner } = RUN_TABLES;
  const bins = new Int32Array(12); // zeros at 0..5, ones at 6..11
  let longestRun = 0;
  // The open run: its bit and its length so far. Runs are closed inline
  // (no helper closure: captured mutable locals cost V8 a context slot each).
  let bit = block[0]! >>> 7;
  let length = 0;
  for (let i = 0; i < block.length; i++) {
    const v = block[i]!;
    const first = v >>> 7;
    const uniform = v === 0 || v === 255;
    const head = uniform ? 8 : lead[v]!;
    if (first === bit) {
      length += head;
    } else {
      bins[bit * 6 + (length < 6 ? length - 1 : 5)]!++;
      if (length > longestRun) longestRun = length;
      bit = first;
      length = head;
    }
    if (uniform) continue; // the open run goes on into the next byte
    // The byte's leading run ends inside it; its interior runs are complete.
    bins[bit * 6 + (length < 6 ? length - 1 : 5)]!++;
    if (length > longestRun) longestRun = length;
    for (let k = start[v]!, end = start[v + 1]!; k < end; k++) bins[inner[k]!]!++;
    bit = v & 1;
    length = trail[v]!;
  }
  bins[bit * 6 + (length < 6 ? length - 1 : 5)]!++;
  if (length > longestRun) longestRun = length;
  return { zeroRuns: Array.from(bins.subarray(0, 6)), oneRuns: Array.from(bins.subarray(6, 12)), longestRun };
}

function runsWithinBounds(counts: readonly number[]): boolean {
  return RUN_BOUNDS.every(([min, max], i) => counts[i]! >= min && counts[i]! <= max);
}
