/**
 * @module test/fips140-rngtest
 * The FIPS 140-2 battery against the real rngtest (rng-tools-debian 2.x,
 * whose runs test has the fix of rng-tools commit 53bec762): on good data
 * and on data with injected faults that trip each test on its own, the
 * counts rngtest prints must equal rngtestCompatible()'s exactly.
 *
 * The binary comes from $RNGTEST, default .cache/rngtest/… (the setup script
 * puts it there). If it is missing these tests fail; they do not skip.
 */

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  FIPS140_BLOCK_BYTES,
  Fips140Battery,
  type Fips140BlockResult,
  type Fips140Counts,
  rngtestCompatible,
} from '../src/health/index.js';
import {
  blockFromRuns,
  concat,
  keystream,
  rngTools5BoundaryBlocks,
  withNibbles,
  withOnes,
  withZeroRun,
  withZeroSingletons,
} from './fips-blocks.js';

const RNGTEST =
  process.env.RNGTEST ??
  fileURLToPath(new URL('../../.cache/rngtest/rng-tools-debian/usr/bin/rngtest', import.meta.url));

interface RngtestOutput {
  version: string;
  bitsReceived: number;
  counts: Fips140Counts;
}

/** Runs the real rngtest on `input` (its standard input) and reads the counts from stderr. */
function runRngtest(input: Uint8Array): RngtestOutput {
  if (!existsSync(RNGTEST)) {
    throw new Error(
      `rngtest not found at ${RNGTEST}: set RNGTEST to the rng-tools-debian (2.x) rngtest binary, ` +
        'or run the setup script that installs it under .cache/rngtest',
    );
  }
  const run = spawnSync(RNGTEST, [], { input, maxBuffer: 1 << 20 });
  if (run.error) throw run.error;
  const stderr = run.stderr.toString();
  const read = (label: string): number => {
    const match = new RegExp(`rngtest: ${label.replace(/[()]/g, '\\$&')}: (\\d+)`).exec(stderr);
    if (!match) throw new Error(`rngtest printed no "${label}" line:\n${stderr}`);
    return Number(match[1]);
  };
  const fips = 'FIPS 140-2(2001-10-10)';
  return {
    version: stderr.split('\n')[0]!.trim(),
    bitsReceived: read('bits received from input'),
    counts: {
      successes: read('FIPS 140-2 successes'),
      failures: read('FIPS 140-2 failures'),
      monobit: read(`${fips} Monobit`),
      poker: read(`${fips} Poker`),
      runs: read(`${fips} Runs`),
      longRun: read(`${fips} Long run`),
      continuousRun: read(`${fips} Continuous run`),
    },
  };
}

function failedTests(result: Fips140BlockResult): string[] {
  return (['monobit', 'poker', 'runs', 'longRun', 'continuousRun'] as const).filter((t) => !result[t]);
}

/** Both sides on one input: same counts, same bits received. */
function expectSameAsRngtest(input: Uint8Array): ReturnType<typeof rngtestCompatible> {
  const ours = rngtestCompatible(input);
  const theirs = runRngtest(input);
  expect(ours.counts, 'counts vs rngtest').toEqual(theirs.counts);
  expect(ours.bitsReceived, 'bits received vs rngtest').toBe(theirs.bitsReceived);
  return ours;
}

describe('rngtest (the reference binary)', () => {
  it('is present and is the fixed rng-tools-debian 2.x, not rng-tools5', () => {
    const { version } = runRngtest(keystream(4 + FIPS140_BLOCK_BYTES, 9));
    expect(version, `${RNGTEST} must be rng-tools-debian's rngtest (prints "rngtest 2.x")`).toMatch(/^rngtest 2\./);
  });
});

describe('rngtestCompatible vs rngtest', () => {
  it('agrees on good data, with a final partial block that neither tests', () => {
    for (const seed of [1, 2]) {
      const ours = expectSameAsRngtest(keystream(4 + 300 * FIPS140_BLOCK_BYTES + 1234, seed));
      expect(ours.blocks.length).toBe(300);
    }
  });

  it('tests N − 1 blocks of an N-block file: the first 4 bytes only prime the continuous test', () => {
    const ours = expectSameAsRngtest(keystream(20 * FIPS140_BLOCK_BYTES, 3));
    expect(ours.blocks.length).toBe(19);
    expect(ours.counts.successes + ours.counts.failures).toBe(19);
  });

  it('agrees on injected faults, each tripping its own test', () => {
    const good = (seed: number): Uint8Array => keystream(FIPS140_BLOCK_BYTES, 50 + seed);
    const continuousInside = good(4);
    continuousInside.copyWithin(1200, 1196, 1200); // aligned word 300 repeats word 299
    const beforeBoundary = good(5);
    const afterBoundary = good(6);
    afterBoundary.set(beforeBoundary.subarray(2496), 0); // first word repeats the previous block's last
    const faults: Array<[string, Uint8Array, string[]]> = [
      ['good', good(1), []],
      ['stuck at zero', new Uint8Array(FIPS140_BLOCK_BYTES), ['monobit', 'poker', 'runs', 'longRun', 'continuousRun']],
      ['good', good(2), []],
      ['10,275 ones', withOnes(1, 10275), ['monobit']],
      ['10,274 ones', withOnes(1, 10274), []],
      ['poker-skewed nibbles', withNibbles(1, 130, 6), ['poker']],
      ['2,686 single zeros', withZeroSingletons(1, 2686), ['runs']],
      ['2,685 single zeros', withZeroSingletons(1, 2685), []],
      ['26-bit run of zeros', withZeroRun(1, 26), ['longRun']],
      ['25-bit run of zeros', withZeroRun(1, 25), []],
      ['word repeated inside a block', continuousInside, ['continuousRun']],
      ['good', beforeBoundary, []],
      ['word repeated across blocks', afterBoundary, ['continuousRun']],
      ['good', good(3), []],
    ];
    const input = concat([keystream(4, 99), ...faults.map(([, block]) => block)]);
    const ours = expectSameAsRngtest(input);
    faults.forEach(([name, , expected], i) => {
      expect(failedTests(ours.blocks[i]!), `block ${i}: ${name}`).toEqual(expected);
    });
    expect(ours.counts).toEqual({
      successes: 7,
      failures: 7,
      monobit: 2,
      poker: 2,
      runs: 2,
      longRun: 2,
      continuousRun: 3,
    });
  });

  it('agrees on the runs-test boundary blocks that rng-tools5 miscounts (docs/fips140-rngtest.md)', () => {
    const blocks = rngTools5BoundaryBlocks();
    const ours = expectSameAsRngtest(concat([keystream(4, 98), ...blocks, keystream(FIPS140_BLOCK_BYTES, 97)]));
    const [first, second, third, , fifth] = ours.blocks;
    expect([first!.oneRuns[0], second!.oneRuns[0], third!.oneRuns[5]]).toEqual([2315, 2314, 209]);
    expect(fifth!.pokerSumOfSquares).toBe(1576600);
    expect(ours.blocks.map(failedTests)).toEqual([[], ['runs'], [], [], [], []]);
  });

  it('builds run-histogram blocks exactly to spec', () => {
    const block = blockFromRuns({
      zeros: [2500, 1250, 625, 312, 156, 156],
      ones: [2500, 1250, 625, 312, 156, 156],
      first: 0,
      last: { bit: 1, length: 2 },
      seed: 5,
    });
    const result = new Fips140Battery().testBlock(block);
    expect(result.zeroRuns).toEqual([2500, 1250, 625, 312, 156, 156]);
    expect(result.oneRuns).toEqual([2500, 1250, 625, 312, 156, 156]);
    expect(result.passed).toBe(true);
  });

  it('compares the first block with the priming word', () => {
    const block = keystream(FIPS140_BLOCK_BYTES, 7);
    const ours = expectSameAsRngtest(concat([block.subarray(0, 4), block]));
    expect(failedTests(ours.blocks[0]!)).toEqual(['continuousRun']);
  });

  it('agrees on a stream with every kind of fault spread over many blocks', () => {
    const stream = keystream(4 + 200 * FIPS140_BLOCK_BYTES, 11);
    for (let k = 0; k < 200; k += 7) {
      const at = 4 + k * FIPS140_BLOCK_BYTES;
      const kind = (k / 7) % 5;
      if (kind === 0) stream.set(withOnes(k, 10275 + (k % 3)), at);
      if (kind === 1) stream.set(withNibbles(k, 100 + k, k % 16), at);
      if (kind === 2) stream.set(withZeroSingletons(k, 2680 + (k % 9)), at);
      if (kind === 3) stream.set(withZeroRun(k, 24 + (k % 4)), at);
      if (kind === 4) stream.copyWithin(at + 2000, at + 1996, at + 2000);
    }
    const ours = expectSameAsRngtest(stream);
    expect(ours.counts.failures).toBeGreaterThan(15);
  });
});

describe('Fips140Battery', () => {
  it('passes good data and reports the statistics it judged', () => {
    const battery = new Fips140Battery();
    const result = battery.testBlock(keystream(FIPS140_BLOCK_BYTES, 1));
    expect(result.passed).toBe(true);
    expect(result.zeroRuns.length).toBe(6);
    expect(result.ones).toBeGreaterThan(9725);
    expect(battery.counts).toMatchObject({ successes: 1, failures: 0 });
  });

  it('without a priming word, primes on the first word of the first block', () => {
    const block = keystream(FIPS140_BLOCK_BYTES, 2);
    expect(new Fips140Battery().testBlock(block).continuousRun).toBe(true);
  });

  it('rejects a block that is not 2,500 bytes and a bad priming word', () => {
    expect(() => new Fips140Battery().testBlock(new Uint8Array(2499))).toThrow(/^block:/);
    expect(() => new Fips140Battery(new Uint8Array(3))).toThrow(/^primingWord:/);
  });
});
