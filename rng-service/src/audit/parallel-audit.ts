/**
 * @module audit/parallel-audit
 * A whole chain audited on every core, in constant memory.
 *
 * 1. First pass (first-pass.ts): the reveals' seeds and the boot records'
 *    keys.
 * 2. Second pass: the input in chunks of whole lines (chunks.ts) goes to
 *    worker threads (pool.ts), which parse each record strictly and examine
 *    it alone — hash, signature, leaf hash, outcomes recomputed with the
 *    seed from the first pass. The main thread feeds the facts, in input
 *    order, to one ChainAuditor, which runs everything that depends on
 *    order: seq, links, trusted keys, commit before use, nonces, reveals,
 *    the Merkle tree and every checkpoint (whose root it recomputes, so each
 *    checkpoint is consistent with the one before).
 *
 * The checks and failures are those of ChainAuditor.push over the same
 * records with the same seeds (the verifier's single-threaded path): the
 * same check code runs, split between the threads.
 */

import { ChainAuditor, VerifyError, type AuditReport } from '@rngseal/verifier';
import { lineChunks } from './chunks.js';
import { firstPass } from './first-pass.js';
import type { AuditInput } from './input.js';
import { cachedKeyVerifier, nodeHashing, nodeMac } from '../node-crypto.js';
import { examineInOrder, ExaminerPool } from './pool.js';
import type { AuditPhase } from './progress.js';

export interface ParallelAuditOptions {
  /** Trusted keys; none: the keys the log's boot records announce (trust on first use, reported). */
  keys: Uint8Array[];
  /** The checkpoints' origin; default the first checkpoint's. */
  origin?: string;
  threads: number;
  /** Bytes a worker is sent at a time (default chunks.ts CHUNK_BYTES). */
  chunkBytes?: number;
  onProgress?: (phase: AuditPhase, records: number, bytes: number) => void;
}

export type AuditOutcome =
  | { ok: true; report: AuditReport }
  /** `line` (1-based) for a line that is not a record: its failure may have no seq. */
  | { ok: false; error: VerifyError; line: number | null };

class LineFailure extends Error {
  constructor(
    readonly error: VerifyError,
    readonly line: number,
  ) {
    super(error.message);
  }
}

export async function auditParallel(input: AuditInput, options: ParallelAuditOptions): Promise<AuditOutcome> {
  const { keys, origin, threads, chunkBytes, onProgress } = options;
  let read = 0;
  const hints = await firstPass(input.read(), (bytes) => onProgress?.('first pass', 0, (read += bytes)));
  const tofu = keys.length === 0;
  const setup = { keys: tofu ? [...hints.announced.values()] : keys, seeds: [...hints.seeds], checkBodies: true, holdUnseeded: false };
  const auditor = new ChainAuditor({
    keys, seeds: hints.seeds, seedsComplete: true, verifySignature: cachedKeyVerifier(), mac: nodeMac, hashing: nodeHashing, ...(origin ? { origin } : {}),
  });
  const pool = new ExaminerPool(threads, setup);
  let lines = 0;
  let records = 0;
  let bytes = 0;
  try {
    await examineInOrder(lineChunks(input.read(), chunkBytes), pool, (chunk) => {
      for (const facts of chunk.facts) auditor.accept(facts);
      if (chunk.failure) throw new LineFailure(chunk.failure.error, lines + chunk.failure.line + 1);
      lines += chunk.lines;
      records += chunk.facts.length;
      bytes += chunk.bytes;
      onProgress?.('audit', records, bytes);
    });
  } catch (err) {
    if (err instanceof LineFailure) return { ok: false, error: err.error, line: err.line };
    if (err instanceof VerifyError) return { ok: false, error: err, line: null };
    throw err;
  } finally {
    await pool.close();
  }
  return { ok: true, report: auditor.finish() };
}
