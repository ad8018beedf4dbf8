/**
 * @module nist/pool
 * The SP 800-22 battery over many sequences on worker threads.
 *
 * ```ts
 * const results = await runBatteryParallel(sequences, { threads: 8, onProgress: (done, total) => … });
 * // results[s] equals runBattery(sequences[s], options), in input order
 * ```
 *
 * Each worker imports the compiled package (dist/nist/pool-worker.js): from
 * the compiled package it is found next to this file, from the TypeScript
 * source (vitest) in ../../dist/nist/ — so the package must have been built
 * (`npx tsc -b certification`), and a source checkout runs the workers on
 * whatever dist/ holds. Every sequence is copied into a buffer of its own
 * that is transferred (not cloned) to a worker, so the caller's arrays stay
 * usable. A worker takes the next sequence as soon as it has posted a
 * result; results are put back in input order.
 */

import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TestResult } from './bits.js';
import { TEST_NAMES, type BatteryOptions } from './index.js';

/**
 * A sequence as packed bytes, most significant bit of each byte first (as
 * unpackBits reads them): the first `nBits` bits of `bytes`. Sends an eighth
 * of the data of a one-bit-per-element array; the worker unpacks it.
 */
export interface PackedBits {
  bytes: Uint8Array;
  nBits: number;
}

/** One sequence: one bit per element (as runBattery takes), or packed. */
export type PoolSequence = Uint8Array | PackedBits;

export interface PoolOptions extends BatteryOptions {
  /** Worker threads (default os.availableParallelism(); never more than the number of sequences). */
  threads?: number;
  /** Called after each sequence is done, with the number done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Message to a worker. `nBits` set: `buffer` holds packed bits; otherwise one bit per byte. */
export interface PoolJob {
  id: number;
  buffer: ArrayBuffer;
  nBits?: number;
}

export type PoolReply = { id: number; results: TestResult[] } | { id: number; error: string };

/** Where the compiled worker is, from the compiled package or from the source. */
export function poolWorkerUrl(): URL {
  const beside = new URL('./pool-worker.js', import.meta.url); // running from dist/nist/
  if (existsSync(fileURLToPath(beside))) return beside;
  const dist = new URL('../../dist/nist/pool-worker.js', import.meta.url); // running from src/nist/
  if (existsSync(fileURLToPath(dist))) return dist;
  throw new Error(
    `the NIST battery's worker ${fileURLToPath(dist)} is missing: build the certification package first (npx tsc -b certification)`,
  );
}

function toJob(id: number, seq: PoolSequence): { job: PoolJob; transfer: ArrayBuffer[] } {
  if (seq instanceof Uint8Array) {
    const copy = seq.slice();
    return { job: { id, buffer: copy.buffer }, transfer: [copy.buffer] };
  }
  const { bytes, nBits } = seq;
  if (!Number.isInteger(nBits) || nBits < 0 || nBits > bytes.length * 8) {
    throw new RangeError(`sequence ${id}: ${nBits} bits asked of ${bytes.length} packed bytes`);
  }
  const copy = bytes.slice(0, Math.ceil(nBits / 8));
  return { job: { id, buffer: copy.buffer, nBits }, transfer: [copy.buffer] };
}

/**
 * runBattery on every sequence, spread over worker threads. Resolves with
 * the results in input order; rejects on the first failure (naming the
 * sequence), after stopping every worker.
 */
export async function runBatteryParallel(sequences: readonly PoolSequence[], options: PoolOptions = {}): Promise<TestResult[][]> {
  const { threads, onProgress, ...battery } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  }
  for (const t of battery.tests ?? []) {
    if (!(TEST_NAMES as readonly string[]).includes(t)) throw new RangeError(`unknown test ${JSON.stringify(t)}`);
  }
  const total = sequences.length;
  if (total === 0) return [];
  const url = poolWorkerUrl();
  const count = Math.min(threads ?? availableParallelism(), total);
  const results = new Array<TestResult[]>(total);
  const workers: Worker[] = [];

  try {
    return await new Promise<TestResult[][]>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const fail = (err: Error): void => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      const feed = (w: Worker): void => {
        if (failed || next >= total) return;
        const id = next++;
        try {
          const { job, transfer } = toJob(id, sequences[id]!);
          w.postMessage(job, transfer);
        } catch (err) {
          fail(err as Error);
        }
      };
      for (let i = 0; i < count; i++) {
        const w = new Worker(url, { workerData: battery });
        workers.push(w);
        w.on('message', (reply: PoolReply) => {
          if (failed) return;
          if ('error' in reply) return fail(new Error(`sequence ${reply.id}: ${reply.error}`));
          results[reply.id] = reply.results;
          done++;
          try {
            onProgress?.(done, total);
          } catch (err) {
            return fail(err as Error);
          }
          if (done === total) resolve(results);
          else feed(w);
        });
        w.on('error', (err) => fail(new Error(`NIST worker thread failed: ${err.message}`)));
        w.on('exit', (code) => {
          if (done < total) fail(new Error(`NIST worker thread exited (code ${code}) with ${total - done} sequences left`));
        });
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
