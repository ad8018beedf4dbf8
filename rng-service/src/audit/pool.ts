/**
 * @module audit/pool
 * Worker threads that examine chunks of an export (audit/worker.ts), and
 * the loop that feeds them and hands their facts back in input order.
 *
 * ```ts
 * const pool = new ExaminerPool(threads, setup);
 * try { await examineInOrder(chunks, pool, (chunk) => …accept chunk.facts…); } finally { await pool.close(); }
 * ```
 *
 * Memory stays constant: at most `2 × threads` chunks are read ahead of the
 * one being accepted, and the reader waits for that one before reading on.
 * Each worker is the compiled file (dist/audit/worker.js): found next to this
 * file when it runs compiled, or in ../../dist/audit/ from the TypeScript
 * source (vitest), so the package must have been built.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RecordFacts, VerifyError } from '@rngseal/verifier';
import { decodeFacts, fromWireError, type ChunkJob, type ChunkReply, type WorkerSetup } from './wire.js';

/** One chunk's records, examined. */
export interface ExaminedChunk {
  facts: RecordFacts[];
  /** Bytes and lines (empty ones included) of the chunk. */
  bytes: number;
  lines: number;
  /** The first line (0-based in the chunk) that is not a record; the facts stop before it. */
  failure: { line: number; error: VerifyError } | null;
}

/** Where the compiled worker is, from the compiled package or from the source. */
export function auditWorkerUrl(): URL {
  const beside = new URL('./worker.js', import.meta.url); // running from dist/audit/
  if (existsSync(fileURLToPath(beside))) return beside;
  const dist = new URL('../../dist/audit/worker.js', import.meta.url); // running from src/audit/
  if (existsSync(fileURLToPath(dist))) return dist;
  throw new Error(`the audit worker ${fileURLToPath(dist)} is missing: build the service first (npx tsc -b rng-service)`);
}

interface Lane {
  worker: Worker;
  /** Replies come back in the order the jobs went out. */
  waiting: Array<{ bytes: number; resolve: (chunk: ExaminedChunk) => void; reject: (err: Error) => void }>;
}

export class ExaminerPool {
  readonly #lanes: Lane[];
  readonly #keys: readonly Uint8Array[];
  #failure: Error | null = null;

  constructor(threads: number, setup: WorkerSetup) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads: must be a positive integer, got ${threads}`);
    const url = auditWorkerUrl();
    this.#keys = setup.keys;
    this.#lanes = Array.from({ length: threads }, () => this.#startLane(url, setup));
  }

  get threads(): number {
    return this.#lanes.length;
  }

  /** Examines one chunk of whole lines (alone at the start of its buffer, which is transferred: unusable here afterwards). */
  examine(chunk: Uint8Array): Promise<ExaminedChunk> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (chunk.byteOffset !== 0) throw new RangeError('chunk: must start its own buffer (audit/chunks.ts)');
    const lane = this.#lanes.reduce((a, b) => (b.waiting.length < a.waiting.length ? b : a));
    return new Promise((resolve, reject) => {
      lane.waiting.push({ bytes: chunk.length, resolve, reject });
      const job: ChunkJob = { buffer: chunk.buffer as ArrayBuffer, length: chunk.length };
      lane.worker.postMessage(job, [job.buffer]);
    });
  }

  async close(): Promise<void> {
    this.#failure ??= new Error('the audit pool is closed');
    await Promise.all(this.#lanes.map((lane) => lane.worker.terminate()));
  }

  #startLane(url: URL, setup: WorkerSetup): Lane {
    const lane: Lane = { worker: new Worker(url, { workerData: setup, execArgv: compiledExecArgv() }), waiting: [] };
    lane.worker.on('message', (reply: ChunkReply) => {
      const job = lane.waiting.shift();
      if (!job) return;
      if (reply.crash !== undefined) return this.#fail(new Error(`audit worker: ${reply.crash}`));
      job.resolve(this.#fromReply(reply, job.bytes));
    });
    lane.worker.on('error', (err) => this.#fail(new Error(`audit worker thread failed: ${err.message}`)));
    lane.worker.on('exit', (code) => {
      if (lane.waiting.length > 0) this.#fail(new Error(`audit worker thread exited (code ${code}) with ${lane.waiting.length} chunks left`));
    });
    return lane;
  }

  #fromReply(reply: ChunkReply, bytes: number): ExaminedChunk {
    const facts = decodeFacts(reply, this.#keys);
    const failure = reply.failure && { line: reply.failure.line, error: fromWireError(reply.failure.error) };
    return { facts, bytes, lines: reply.lines, failure };
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const lane of this.#lanes) for (const job of lane.waiting.splice(0)) job.reject(this.#failure);
  }
}

/**
 * The parent's Node flags without export conditions: the worker is compiled
 * code and must load the compiled workspace packages, even under a parent
 * that resolves them to their TypeScript sources (vitest's `source`).
 */
function compiledExecArgv(): string[] {
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!;
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=')) out.push(arg);
  }
  return out;
}

/**
 * Sends every chunk to the pool and calls `accept` with each examined chunk
 * in input order. Reads ahead at most 2 chunks per thread. Stops at the
 * first error `accept` throws, and rethrows it.
 */
export async function examineInOrder(
  chunks: AsyncIterable<Uint8Array>,
  pool: Pick<ExaminerPool, 'threads' | 'examine'>,
  accept: (chunk: ExaminedChunk) => void,
): Promise<void> {
  const ahead: Array<Promise<ExaminedChunk>> = [];
  const limit = 2 * pool.threads;
  for await (const chunk of chunks) {
    const examined = pool.examine(chunk);
    examined.catch(() => {}); // awaited in turn below; a failure must not go unhandled meanwhile
    ahead.push(examined);
    if (ahead.length >= limit) accept(await ahead.shift()!);
  }
  while (ahead.length > 0) accept(await ahead.shift()!);
}
