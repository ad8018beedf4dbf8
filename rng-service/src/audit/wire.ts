/**
 * @module audit/wire
 * Record facts (verifier record-facts.ts) between the audit's worker threads
 * and its main thread. Structured cloning keeps plain data only, and costs
 * per object: a chunk's facts travel as columns in transferred buffers (see
 * WireChunk); a VerifyError travels as its check, seq and message; the key a
 * record was checked under travels as its index in the key list both sides
 * were given (bytes only for a key outside it, a boot record's own).
 */

import { RECORD_TYPES, VerifyError, type OutcomeFacts, type RecordFacts, type VerifyCheck } from '@rngseal/verifier';

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

/**
 * The facts of a chunk's records, in order, mostly in columns: cloning costs
 * per object, and a chunk holds hundreds of records whose facts are a few
 * numbers and a hash each. What a column cannot hold goes in `rest`.
 */
export interface WireChunk {
  count: number;
  /** Per record: seq, time, and an outcome's first nonce when it is a number (float64). */
  numbers: ArrayBuffer;
  /** Per record: type, key, draws, nonce gap, epoch and flags (int32; see encodeFacts). */
  ints: ArrayBuffer;
  /** Leaf hashes, 32 bytes a record. */
  leaves: ArrayBuffer;
  /** Record hashes, 64 hex digits each, end to end. */
  hashes: string;
  /** The epoch ids outcome records name, each once. */
  epochs: string[];
  /** By record index, ascending: the facts no column holds. */
  rest: Array<[number, WireRest]>;
}

/**
 * A record's facts outside the columns: `prev` when it is not the hash of
 * the record before it in the chunk, `chain` and `key` when they differ
 * from that record's (so the first record carries all three), a key that is
 * not one of the setup's, failures, a body read in sequence, held draws,
 * and an epoch or first nonce of a type the columns do not take.
 */
interface WireRest {
  prev?: string;
  chain?: string;
  key?: string;
  checkedUnder?: Uint8Array;
  signatureError?: WireError;
  record?: RecordFacts['record'];
  epoch?: unknown;
  firstNonce?: unknown;
  clientSeedError?: WireError;
  drawsError?: WireError;
  held?: OutcomeFacts['held'];
}

export interface ChunkReply extends WireChunk {
  /** Lines in the chunk, empty ones included (up to the failure, when there is one). */
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

const NUMBERS = 3; // seq, time, firstNonce
const INTS = 6; // type, key, draws, nonceGap, epoch, flags
const HAS_OUTCOME = 1;
const RECOMPUTED = 2;
const FIRST_NONCE = 4; // numbers holds it
/** In the key and epoch columns. */
const NONE = -1;
const IN_REST = -2;

/** The columns of a chunk being encoded. */
interface Columns {
  numbers: Float64Array<ArrayBuffer>;
  ints: Int32Array<ArrayBuffer>;
  epochs: Map<string, number>;
}

/** `keyIndex` maps each key of WorkerSetup.keys (the worker's copies) to its index. */
export function encodeFacts(all: readonly RecordFacts[], keyIndex: Map<Uint8Array, number>): WireChunk {
  const columns: Columns = { numbers: new Float64Array(NUMBERS * all.length), ints: new Int32Array(INTS * all.length), epochs: new Map() };
  const { numbers, ints } = columns;
  const leaves = new Uint8Array(32 * all.length);
  const rest: Array<[number, WireRest]> = [];
  let hashes = '';
  for (let i = 0; i < all.length; i++) {
    const f = all[i]!;
    const before = all[i - 1];
    const extra: WireRest = {};
    let hasExtra = false;
    const note = <K extends keyof WireRest>(field: K, value: WireRest[K]): void => {
      extra[field] = value;
      hasExtra = true;
    };
    if (f.prev !== before?.hash) note('prev', f.prev);
    if (f.chain !== before?.chain) note('chain', f.chain);
    if (f.key !== before?.key) note('key', f.key);
    let key = f.checkedUnder === null ? NONE : keyIndex.get(f.checkedUnder);
    if (key === undefined) {
      key = IN_REST;
      note('checkedUnder', f.checkedUnder!);
    }
    if (f.signatureError) note('signatureError', toWireError(f.signatureError));
    if (f.record) note('record', f.record);
    numbers[NUMBERS * i] = f.seq;
    numbers[NUMBERS * i + 1] = f.time;
    ints[INTS * i] = RECORD_TYPES.indexOf(f.type);
    ints[INTS * i + 1] = key;
    leaves.set(f.leaf, 32 * i);
    hashes += f.hash;
    if (f.outcome) encodeOutcome(f.outcome, i, columns, note);
    if (hasExtra) rest.push([i, extra]);
  }
  return { count: all.length, numbers: numbers.buffer, ints: ints.buffer, leaves: leaves.buffer, hashes, epochs: [...columns.epochs.keys()], rest };
}

function encodeOutcome(o: OutcomeFacts, i: number, { numbers, ints, epochs }: Columns, note: <K extends keyof WireRest>(field: K, value: WireRest[K]) => void): void {
  let flags = HAS_OUTCOME | (o.recomputed ? RECOMPUTED : 0);
  if (typeof o.firstNonce === 'number') {
    numbers[NUMBERS * i + 2] = o.firstNonce;
    flags |= FIRST_NONCE;
  } else if (o.firstNonce !== undefined) {
    note('firstNonce', o.firstNonce);
  }
  let epoch = NONE;
  if (typeof o.epoch === 'string') {
    epoch = epochs.get(o.epoch) ?? epochs.size;
    epochs.set(o.epoch, epoch);
  } else if (o.epoch !== null) {
    epoch = IN_REST;
    note('epoch', o.epoch);
  }
  const k = INTS * i;
  ints[k + 2] = o.draws;
  ints[k + 3] = o.nonceGap;
  ints[k + 4] = epoch;
  ints[k + 5] = flags;
  if (o.clientSeedError) note('clientSeedError', toWireError(o.clientSeedError));
  if (o.drawsError) note('drawsError', toWireError(o.drawsError));
  if (o.held) note('held', o.held);
}

/** The buffers of a chunk's columns, to transfer rather than copy when it is posted. */
export function transferList(chunk: WireChunk): ArrayBuffer[] {
  return [chunk.numbers, chunk.ints, chunk.leaves];
}

/** `keys` is the main thread's WorkerSetup.keys, so a key index gives back the very key the auditor holds. */
export function decodeFacts(chunk: WireChunk, keys: readonly Uint8Array[]): RecordFacts[] {
  const numbers = new Float64Array(chunk.numbers);
  const ints = new Int32Array(chunk.ints);
  const all: RecordFacts[] = [];
  let next = 0; // into chunk.rest
  for (let i = 0; i < chunk.count; i++) {
    const extra: WireRest = chunk.rest[next]?.[0] === i ? chunk.rest[next++]![1] : {};
    const before = all[i - 1];
    const n = NUMBERS * i;
    const k = INTS * i;
    const key = ints[k + 1]!;
    const flags = ints[k + 5]!;
    all.push({
      seq: numbers[n]!,
      chain: extra.chain ?? before!.chain,
      prev: extra.prev ?? before!.hash,
      hash: chunk.hashes.slice(64 * i, 64 * i + 64),
      time: numbers[n + 1]!,
      type: RECORD_TYPES[ints[k]!]!,
      key: extra.key ?? before!.key,
      leaf: new Uint8Array(chunk.leaves, 32 * i, 32),
      checkedUnder: key === NONE ? null : key === IN_REST ? extra.checkedUnder! : keys[key] ?? null,
      signatureError: fromWireError(extra.signatureError ?? null),
      record: extra.record ?? null,
      outcome: flags & HAS_OUTCOME ? {
        epoch: ints[k + 4] === NONE ? null : ints[k + 4] === IN_REST ? extra.epoch : chunk.epochs[ints[k + 4]!],
        draws: ints[k + 2]!,
        firstNonce: flags & FIRST_NONCE ? numbers[n + 2] : extra.firstNonce,
        nonceGap: ints[k + 3]!,
        clientSeedError: fromWireError(extra.clientSeedError ?? null),
        drawsError: fromWireError(extra.drawsError ?? null),
        recomputed: (flags & RECOMPUTED) !== 0,
        held: extra.held ?? null,
      } : null,
    });
  }
  return all;
}
