/**
 * @module record-facts
 * The half of a chain audit that looks at one record alone: its hash and
 * signature under the key its key id names, its Merkle leaf hash, and its
 * outcomes recomputed (direct draws always, seeded draws once the epoch's
 * seed is known). None of it depends on the records around it, so a Node
 * auditor runs it on worker threads, many records at once; ChainAuditor
 * (chain.ts) does the other half — links, seq, keys, commit before use,
 * nonces, reveals, the tree and checkpoints — in seq order, from the facts
 * returned here. The single-threaded and the parallel audit run this same
 * code.
 *
 * Nothing here throws for a bad record: each failure is kept in the facts
 * and raised by ChainAuditor where a record-by-record audit meets it, so
 * both report the same check and seq.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, utf8 } from './bytes.js';
import type { BootBody, OutcomeBody } from './bodies.js';
import { clientSeedProblem } from './client-seed.js';
import { nobleMac, type Mac } from './derive.js';
import { VerifyError } from './errors.js';
import { checkDraws, type Draw } from './fairness.js';
import { keyId } from './keys.js';
import { leafHash, nodeHash } from './merkle.js';
import { checkRecordSignature, unsignedText, type LogRecord, type RecordType, type SignatureVerifier } from './record.js';

/** SHA-256 for the record, leaf and tree node hashes. Node tools may pass node:crypto's, which agrees byte for byte. */
export interface RecordHashing {
  /** SHA-256 of the UTF-8 bytes of `text`. */
  sha256(text: string): Uint8Array;
  /** RFC 9162 leaf hash of the UTF-8 bytes of `text` (merkle.ts leafHash). */
  leafHash(text: string): Uint8Array;
  /** RFC 9162 interior node hash (merkle.ts nodeHash). */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
}

/** The browser-safe default: @noble/hashes. */
export const nobleHashing: RecordHashing = {
  sha256: (text) => sha256(utf8(text)),
  leafHash: (text) => leafHash(utf8(text)),
  nodeHash,
};

export interface ExamineOptions {
  /** The public key a key id names, if the examiner has one. */
  keyFor(keyId: string): Uint8Array | undefined;
  /** An epoch's seed known before its reveal (from a first pass over the reveals). */
  seedFor(epoch: string): Uint8Array | undefined;
  /** false: look at hashes and signatures only (no outcome recomputation). */
  checkBodies: boolean;
  /** Keep the draws of seeded outcomes whose seed is not known, for their reveal to recompute. */
  holdUnseeded: boolean;
  verify: SignatureVerifier;
  mac: Mac;
  hashing: RecordHashing;
}

/** Draws kept until their epoch's reveal. */
export interface HeldOutcome {
  clientSeed: string;
  draws: Draw[];
}

/** What the sequential checks need of an outcome record, and the verdicts of its independent ones. */
export interface OutcomeFacts {
  /** The body's epoch as given: null for a direct draw. */
  epoch: unknown;
  /** Number of draws; 0 when there are none (or `draws` is not an array). */
  draws: number;
  /** Seeded outcomes: the first draw's nonce, and the first index whose nonce does not follow it (−1: none). */
  firstNonce: unknown;
  nonceGap: number;
  /** Seeded outcomes: a client seed the protocol refuses. */
  clientSeedError: VerifyError | null;
  /** Direct draws: any failure (entropy, nonces, results); seeded ones: the recomputation's, when `recomputed`. */
  drawsError: VerifyError | null;
  /** Seeded outcomes: recomputed with the seed known beforehand. */
  recomputed: boolean;
  /** Seeded outcomes not recomputed, when held (ExamineOptions.holdUnseeded). */
  held: HeldOutcome | null;
}

export interface RecordFacts {
  seq: number;
  chain: string;
  prev: string;
  hash: string;
  time: number;
  type: RecordType;
  /** The key id the record names. */
  key: string;
  /** Leaf hash of the record's stored bytes. */
  leaf: Uint8Array;
  /** The public key the hash and signature were checked under; null when the examiner had none for `key`. */
  checkedUnder: Uint8Array | null;
  /** HASH or SIGNATURE failure under `checkedUnder`. */
  signatureError: VerifyError | null;
  /** The record itself, for the types whose body the sequential checks read. */
  record: LogRecord | null;
  /** Outcome records, when bodies are checked. */
  outcome: OutcomeFacts | null;
}

/** Record types whose body the sequential checks read (keys, epochs, checkpoints). */
const READ_IN_SEQUENCE: ReadonlySet<RecordType> = new Set(['boot', 'commit', 'reveal', 'checkpoint', 'health']);

/**
 * Examines one record on its own. `text` must be its canonical encoding (as
 * parseRecord checks, or encodeRecord gives).
 */
export function examineRecord(record: LogRecord, text: string, options: ExamineOptions): RecordFacts {
  const { seq } = record;
  const key = options.keyFor(record.key) ?? announcedKey(record);
  return {
    seq,
    chain: record.chain,
    prev: record.prev,
    hash: record.hash,
    time: record.time,
    type: record.type,
    key: record.key,
    leaf: options.hashing.leafHash(text),
    checkedUnder: key ?? null,
    signatureError: key ? failureOf(seq, () => checkRecordSignature(record, key, options.verify, options.hashing.sha256(unsignedText(text)))) : null,
    record: READ_IN_SEQUENCE.has(record.type) ? record : null,
    outcome: options.checkBodies && record.type === 'outcome' ? examineOutcome(record, options) : null,
  };
}

function examineOutcome(record: LogRecord, options: ExamineOptions): OutcomeFacts {
  const { seq } = record;
  const body = record.body as unknown as OutcomeBody;
  const draws = Array.isArray(body.draws) ? body.draws : [];
  const facts: OutcomeFacts = {
    epoch: body.epoch, draws: draws.length, firstNonce: undefined, nonceGap: -1,
    clientSeedError: null, drawsError: null, recomputed: false, held: null,
  };
  if (draws.length === 0) return facts;
  if (body.epoch === null) {
    facts.drawsError = failureOf(seq, () => checkDirectDraws(body, seq, options.mac));
    return facts;
  }
  const nonces = draws.map((d) => (d as Partial<Draw> | null)?.nonce);
  facts.firstNonce = nonces[0];
  facts.nonceGap = nonces.findIndex((n, i) => i > 0 && n !== (nonces[0] as number) + i);
  const problem = clientSeedProblem(body.clientSeed);
  if (problem) {
    facts.clientSeedError = new VerifyError('OUTCOME', `clientSeed ${problem}`, seq);
    return facts;
  }
  const seed = typeof body.epoch === 'string' ? options.seedFor(body.epoch) : undefined;
  if (seed) {
    facts.recomputed = true;
    facts.drawsError = failureOf(seq, () => checkDraws(seed, body.clientSeed, draws, seq, options.mac));
  } else if (options.holdUnseeded) {
    facts.held = { clientSeed: body.clientSeed, draws };
  }
  return facts;
}

/** A direct draw's key is the 32 entropy bytes in the record, and its nonces count from 0. */
function checkDirectDraws(body: OutcomeBody, seq: number, mac: Mac): void {
  const key = fromHexOr(body.entropy, seq, 'entropy');
  if (key.length !== 32) throw new VerifyError('FORMAT', 'entropy: expected 32 bytes', seq);
  body.draws.forEach((d, i) => {
    if (d.nonce !== i) throw new VerifyError('OUTCOME', `draw ${i}: direct draws use nonce ${i}`, seq);
  });
  checkDraws(key, body.clientSeed, body.draws, seq, mac);
}

/** A boot record's own key, when it matches the key id the record names (trust on first use). */
function announcedKey(record: LogRecord): Uint8Array | undefined {
  if (record.type !== 'boot') return undefined;
  try {
    const key = fromHex((record.body as unknown as BootBody).publicKey);
    return keyId(key) === record.key ? key : undefined;
  } catch {
    return undefined; // ChainAuditor reports the malformed key in sequence
  }
}

/** Runs a check; returns its failure instead of throwing it. A malformed body's TypeError is a FORMAT failure. */
export function failureOf(seq: number, check: () => void): VerifyError | null {
  try {
    check();
    return null;
  } catch (err) {
    if (err instanceof VerifyError) return err;
    return new VerifyError('FORMAT', err instanceof Error ? err.message : String(err), seq, { cause: err });
  }
}

/** Parses hex from a record body; a FORMAT failure names the field. */
export function fromHexOr(value: unknown, seq: number, field: string): Uint8Array {
  try {
    return fromHex(value as string, field);
  } catch (err) {
    throw new VerifyError('FORMAT', (err as Error).message, seq);
  }
}
