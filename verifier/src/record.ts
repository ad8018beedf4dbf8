/**
 * @module record
 * The log record: its fields, its canonical bytes, its hash and the message
 * its Ed25519 signature covers. See docs/PROTOCOL.md §Records.
 *
 *   hash = SHA-256( JCS(record without `hash` and `sig`) )
 *   sig  = Ed25519( "rngseal/record/v1\n" ‖ hash )      (hash as 32 raw bytes)
 *
 * The stored and exported form of a record is JCS(record with `hash` and
 * `sig`), one per line in NDJSON exports.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalize, inCanonicalForm, type Json } from './canonical.js';
import { fromHex, isLowerHex, toHex, utf8 } from './bytes.js';
import { VerifyError } from './errors.js';

export const RECORD_VERSION = 1;
export const RECORD_TYPES = ['boot', 'commit', 'outcome', 'reveal', 'health', 'checkpoint'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** `prev` of seq 0. */
export const GENESIS_PREV = '0'.repeat(64);
/** Domain separation: a record signature can never be replayed as another message. */
export const RECORD_SIGNATURE_CONTEXT = 'rngseal/record/v1\n';

export type Body = { [key: string]: Json };

export interface UnsignedRecord {
  v: number;
  chain: string;
  seq: number;
  time: number;
  type: RecordType;
  prev: string;
  key: string;
  body: Body;
}

export interface LogRecord extends UnsignedRecord {
  hash: string;
  sig: string;
}

/** SHA-256 over the canonical bytes of the record without `hash` and `sig`. */
export function recordHash(record: UnsignedRecord): Uint8Array {
  const { v, chain, seq, time, type, prev, key, body } = record;
  return sha256(utf8(canonicalize({ v, chain, seq, time, type, prev, key, body })));
}

const CONTEXT_BYTES = utf8(RECORD_SIGNATURE_CONTEXT);

/** The exact bytes the record's Ed25519 signature covers. */
export function signingMessage(hash: Uint8Array): Uint8Array {
  if (hash.length !== 32) throw new RangeError('hash: expected 32 bytes');
  const message = new Uint8Array(CONTEXT_BYTES.length + 32);
  message.set(CONTEXT_BYTES);
  message.set(hash, CONTEXT_BYTES.length);
  return message;
}

/** Canonical text of a signed record: what the log stores and exports. */
export function encodeRecord(record: LogRecord): string {
  return canonicalize(record);
}

const FIELDS = ['body', 'chain', 'hash', 'key', 'prev', 'seq', 'sig', 'time', 'type', 'v'];

/**
 * Parses one record strictly: exact field set, types, integers only, and the
 * text must be the record's canonical encoding (so two different byte
 * strings never claim to be the same record).
 * @throws VerifyError FORMAT
 */
export function parseRecord(text: string): LogRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new VerifyError('FORMAT', 'record is not JSON', undefined, { cause: err });
  }
  const record = checkShape(value);
  // The usual case, decided without encoding; inCanonicalForm also means every number is a safe integer.
  if (plainlyCanonical(text, record)) return record;
  const notInteger = nonIntegerPath(record.body);
  if (notInteger !== null) throw new VerifyError('FORMAT', `body${notInteger}: numbers must be safe integers`, record.seq);
  // Undecided: encode, for canonicalize's reason (naming the member) or a plain refusal.
  let canonical: string;
  try {
    canonical = encodeRecord(record);
  } catch (err) {
    throw new VerifyError('FORMAT', (err as Error).message, record.seq);
  }
  if (canonical !== text) throw new VerifyError('FORMAT', 'record is not in canonical form', record.seq);
  return record;
}

/**
 * The canonical text of a record's members after `body`, split where its
 * hash leaves `hash` and `sig` out. Once checkShape has passed, each of these
 * members has one encoding (hex, safe integers, a known type), and `chain`
 * JSON.stringify's when it is well-formed Unicode.
 */
function envelope(r: LogRecord): { chain: string; middle: string; end: string } {
  return {
    chain: `,"chain":${JSON.stringify(r.chain)}`,
    middle: `,"key":"${r.key}","prev":"${r.prev}","seq":${r.seq}`,
    end: `,"time":${r.time},"type":"${r.type}","v":${r.v}}`,
  };
}

const BODY_PREFIX = '{"body":';
/** Lengths of the `hash` and `sig` members, with their leading commas. */
const HASH_MEMBER = ',"hash":""'.length + 64;
const SIG_MEMBER = ',"sig":""'.length + 128;

/**
 * true only when `text` is canonicalize(record), for a record checkShape
 * passed, decided without encoding: the envelope is compared as text, and
 * the body is scanned (canonical.ts inCanonicalForm; most of a record's
 * length is its fixed-form hex). false: undecided.
 */
function plainlyCanonical(text: string, r: LogRecord): boolean {
  const { chain, middle, end } = envelope(r);
  const after = `${chain},"hash":"${r.hash}"${middle},"sig":"${r.sig}"${end}`;
  return r.chain.isWellFormed() && text.startsWith(BODY_PREFIX) && text.endsWith(after) &&
    inCanonicalForm(text.slice(BODY_PREFIX.length, text.length - after.length));
}

/**
 * What a record's hash covers — its canonical text without `hash` and
 * `sig` — cut from `text`, its canonical text (as parseRecord checks),
 * instead of encoding the record again. Both members lie after the body,
 * and the members after them (hex, integers, a type name) cannot spell
 * either name, so each is the last of its kind in the text.
 */
export function unsignedText(text: string): string {
  const hash = text.lastIndexOf(',"hash":"');
  const sig = text.lastIndexOf(',"sig":"');
  return `${text.slice(0, hash)}${text.slice(hash + HASH_MEMBER, sig)}${text.slice(sig + SIG_MEMBER)}`;
}

function checkShape(value: unknown): LogRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifyError('FORMAT', 'record is not a JSON object');
  }
  const r = value as Record<string, unknown>;
  const seq = Number.isSafeInteger(r.seq) && (r.seq as number) >= 0 ? (r.seq as number) : undefined;
  const fail = (why: string): never => {
    throw new VerifyError('FORMAT', why, seq);
  };
  if (!sameMembers(Object.keys(r), FIELDS)) fail(`fields must be exactly ${FIELDS.join(', ')}`);
  if (r.v !== RECORD_VERSION) fail(`unsupported version ${String(r.v)}`);
  if (seq === undefined) fail('seq: must be a non-negative integer');
  if (typeof r.chain !== 'string' || r.chain.length === 0) fail('chain: must be a non-empty string');
  if (!Number.isSafeInteger(r.time) || (r.time as number) < 0) fail('time: must be a non-negative integer');
  if (!RECORD_TYPES.includes(r.type as RecordType)) fail(`type: unknown ${String(r.type)}`);
  for (const f of ['prev', 'hash'] as const) if (!isLowerHex(r[f], 64)) fail(`${f}: must be 64 hex digits`);
  if (!isLowerHex(r.key, 16)) fail('key: must be 16 hex digits');
  if (!isLowerHex(r.sig, 128)) fail('sig: must be 128 hex digits');
  if (typeof r.body !== 'object' || r.body === null || Array.isArray(r.body)) fail('body: must be an object');
  return r as unknown as LogRecord;
}

/** `keys` are exactly `sorted`'s members, in any order (`sorted` sorted, without repeats). */
function sameMembers(keys: string[], sorted: readonly string[]): boolean {
  if (keys.length !== sorted.length) return false;
  return keys.every((k, i) => k === sorted[i]) || keys.slice().sort().every((k, i) => k === sorted[i]);
}

/**
 * The path (from `value`) of the first number that is not a safe integer, or
 * null. The protocol carries integers only, so third-party encoders never
 * have to reproduce ECMAScript's float formatting. The path is built only
 * for a failure: records are checked by the million.
 */
function nonIntegerPath(value: unknown): string | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? null : '';
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const below = nonIntegerPath(value[i]);
      if (below !== null) return `[${i}]${below}`;
    }
    return null;
  }
  for (const k of Object.keys(value)) {
    const below = nonIntegerPath((value as Record<string, unknown>)[k]);
    if (below !== null) return `.${k}${below}`;
  }
  return null;
}

/** Verifies an Ed25519 signature; must return false (not throw) on a bad one. */
export type SignatureVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Checks a record's own integrity: its hash and its signature under `publicKey`.
 * `hash` is recordHash(record), when the caller computed it another way.
 * @throws VerifyError HASH or SIGNATURE
 */
export function checkRecordSignature(record: LogRecord, publicKey: Uint8Array, verify: SignatureVerifier, hash = recordHash(record)): void {
  if (toHex(hash) !== record.hash) throw new VerifyError('HASH', 'hash does not match the record bytes', record.seq);
  if (!verify(publicKey, signingMessage(hash), fromHex(record.sig, 'sig'))) {
    throw new VerifyError('SIGNATURE', `signature does not verify under key ${record.key}`, record.seq);
  }
}
