/**
 * @module test/nist-pool
 * The battery on worker threads (nist/pool.ts) against runBattery on the
 * main thread: same results, in input order, whatever order the workers
 * finish in; packed and unpacked inputs; errors. The workers run the
 * compiled package, so this needs `npx tsc -b` first (as `npm test` does).
 */

import { describe, expect, it } from 'vitest';
import { packBits, runBattery } from '../src/nist/index.js';
import { poolWorkerUrl, runBatteryParallel, type PoolSequence } from '../src/nist/pool.js';
import { sha256Bits } from './helpers/reference.js';

describe('runBatteryParallel', () => {
  it('returns runBattery\'s results in input order, from packed and unpacked inputs', async () => {
    // Longest first, so later sequences finish before earlier ones.
    const bits = [60_000, 50_000, 1_001, 40_000, 2_000, 30_000, 333].map((n, i) => sha256Bits(`pool-${i}`, n));
    const inputs: PoolSequence[] = bits.map((b, i) => (i % 2 ? { bytes: packBits(b), nBits: b.length } : b));
    const progress: number[] = [];
    const results = await runBatteryParallel(inputs, { threads: 2, onProgress: (done, total) => progress.push(done * 100 + total) });
    expect(results).toEqual(bits.map((b) => runBattery(b)));
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7].map((d) => d * 100 + 7));
    // The caller's arrays were copied, not transferred.
    expect(bits.map((b) => b.length)).toEqual([60_000, 50_000, 1_001, 40_000, 2_000, 30_000, 333]);
  });

  it('passes tests and parameters to the workers; more threads than sequences is fine', async () => {
    const seqs = [0, 1, 2].map((i) => sha256Bits(`pool-p-${i}`, 20_000));
    const options = { tests: ['Serial', 'Frequency'], params: { Serial: { m: 5 } } };
    const results = await runBatteryParallel(seqs, { ...options, threads: 8 });
    expect(results).toEqual(seqs.map((s) => runBattery(s, options)));
    expect(results[0]!.map((r) => r.name)).toEqual(['Frequency', 'Serial']);
  });

  it('rejects bad input naming the sequence, and bad options before starting', async () => {
    const bad = sha256Bits('pool-bad', 1000);
    bad[17] = 2;
    await expect(runBatteryParallel([sha256Bits('ok', 1000), bad], { threads: 2 })).rejects.toThrow(/sequence 1: bits\[17\] = 2/);
    await expect(runBatteryParallel([bad], { tests: ['Nope'] })).rejects.toThrow(/unknown test "Nope"/);
    await expect(runBatteryParallel([bad], { threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
    await expect(runBatteryParallel([{ bytes: new Uint8Array(2), nBits: 17 }])).rejects.toThrow(/17 bits asked of 2 packed bytes/);
    expect(await runBatteryParallel([])).toEqual([]);
  });

  it('finds the compiled worker from the source tree', () => {
    expect(poolWorkerUrl().pathname).toMatch(/certification\/dist\/nist\/pool-worker\.js$/);
  });
});
