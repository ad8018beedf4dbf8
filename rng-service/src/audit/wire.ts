/**
 * @module audit/wire
 * Record facts (verifier record-facts.ts) between the audit's worker threads
 * and its main thread. Structured cloning keeps plain data only, and costs
 * per object: a VerifyError travels as its check, seq and message; the leaf
 * hashes of a chunk travel packed in one transferred buffer; the key a
 * record was checked under travels as its index in the key list both sides
 * were given (bytes only for a key outside it, a boot record's own).
 */

import { VerifyError, type OutcomeFacts, type RecordFacts, type VerifyCheck } from '@rngseal/verifier';

/** What every worker is started with. */
export interface WorkerSetup {
  /** Keys the workers check signatures under, by key id: the trusted ones, and in trust on first use those the log announces. */
  keys: Uint8Array[];
  /** Seeds known before their reveal (from the first pass). */
  seeds: Array<[string, Uint8Array]>;
  checkBodies: boolean;
  holdUnseeded: boolean;
}

/** A chunk of whole lines: the first `length` bytes of `buffer` (transferred). */
export interface ChunkJob {
  buffer: ArrayBuffer;
  length: number;
}

export interface WireError {
  check: VerifyCheck;
  seq?: number;
  message: string;
}

type WireOutcome = Omit<OutcomeFacts, 'clientSeedError' | 'drawsError'> & { clientSeedError: WireError | null; drawsError: WireError | null };

/**
 * One record's facts. Strings a record repeats from the one before it in the
 * chunk are left out: `prev` when it is that record's hash, `chain` and
 * `key` when they are the same.
 */
interface WireFacts {
  seq: number;
  time: number;
  type: RecordFacts['type'];
  hash: string;
  prev?: string;
  chain?: string;
  key?: string;
  checkedUnder: number | Uint8Array | null;
  signatureError?: WireError;
  record?: RecordFacts['record'];
  outcome?: WireOutcome;
}

/** The facts of a chunk's records, in order, with their leaf hashes packed (32 bytes each). */
export interface WireChunk {
  facts: WireFacts[];
  leaves: ArrayBuffer;
}

export interface ChunkReply extends WireChunk {
  /** Lines in the chunk, empty ones included (for the line number of a failure without seq). */
  lines: number;
  /** The first line (0-based, in the chunk) that is not a record; the facts stop before it. */
  failure: { line: number; error: WireError } | null;
  /** An unexpected error of the worker itself. */
  crash?: string;
}

export function toWireError(err: VerifyError): WireError;
export function toWireError(err: VerifyError | null): WireError | null;
export function toWireError(err: VerifyError | null): WireError | null {
  if (!err) return null;
  // VerifyError prefixes "record <seq>: " to the message it was given.
  const message = err.seq === undefined ? err.message : err.message.slice(`record ${err.seq}: `.length);
  return { check: err.check, message, ...(err.seq === undefined ? {} : { seq: err.seq }) };
}

export function fromWireError(wire: WireError): VerifyError;
export function fromWireError(wire: WireError | null): VerifyError | null;
export function fromWireError(wire: WireError | null): VerifyError | null {
  return wire ? new VerifyError(wire.check, wire.message, wire.seq) : null;
}

/** `keyIndex` maps each key of WorkerSetup.keys (the worker's copies) to its index. */
export function encodeFacts(all: readonly RecordFacts[], keyIndex: Map<Uint8Array, number>): WireChunk {
  const leaves = new Uint8Array(32 * all.length);
  const facts = all.map((f, i): WireFacts => {
    leaves.set(f.leaf, 32 * i);
    const before = all[i - 1];
    const wire: WireFacts = { seq: f.seq, time: f.time, type: f.type, hash: f.hash, checkedUnder: f.checkedUnder === null ? null : keyIndex.get(f.checkedUnder) ?? f.checkedUnder };
    if (f.prev !== before?.hash) wire.prev = f.prev;
    if (f.chain !== before?.chain) wire.chain = f.chain;
    if (f.key !== before?.key) wire.key = f.key;
    if (f.signatureError) wire.signatureError = toWireError(f.signatureError);
    if (f.record) wire.record = f.record;
    if (f.outcome) wire.outcome = { ...f.outcome, clientSeedError: toWireError(f.outcome.clientSeedError), drawsError: toWireError(f.outcome.drawsError) };
    return wire;
  });
  return { facts, leaves: leaves.buffer };
}

/** `keys` is the main thread's WorkerSetup.keys, so a key index gives back the very key the auditor holds. */
export function decodeFacts(chunk: WireChunk, keys: readonly Uint8Array[]): RecordFacts[] {
  const all: RecordFacts[] = [];
  chunk.facts.forEach((wire, i) => {
    const before = all[i - 1];
    const { checkedUnder, outcome } = wire;
    all.push({
      seq: wire.seq,
      chain: wire.chain ?? before!.chain,
      prev: wire.prev ?? before!.hash,
      hash: wire.hash,
      time: wire.time,
      type: wire.type,
      key: wire.key ?? before!.key,
      leaf: new Uint8Array(chunk.leaves, 32 * i, 32),
      checkedUnder: typeof checkedUnder === 'number' ? keys[checkedUnder] ?? null : checkedUnder,
      signatureError: fromWireError(wire.signatureError ?? null),
      record: wire.record ?? null,
      outcome: outcome ? { ...outcome, clientSeedError: fromWireError(outcome.clientSeedError), drawsError: fromWireError(outcome.drawsError) } : null,
    });
  });
  return all;
}
