/**
 * @module receipt
 * A receipt is a round (round.ts) that carries its own proof of publication:
 *
 *   { "version": 1, "outcome": record, "commit"?: record, "reveal"?: record,
 *     "checkpoint": signed note, "proofs": { "<seq>": [base64 hash, …] } }
 *
 * Each record's inclusion proof leads from the hash of its stored form
 * (leafHash(UTF-8 of encodeRecord)) at index seq to the root the checkpoint
 * signs. A player holding a receipt can later show that the log published
 * these exact records: the operator cannot deny or rewrite them without
 * contradicting a checkpoint it signed, which monitors hold. (That the
 * checkpoint is the one everyone sees is for monitors, with consistency
 * proofs; docs/PROTOCOL.md §8.)
 *
 * Checks run in this order, each failure naming its check and record:
 * FORMAT (receipt shape), CHECKPOINT (note, signature, origin), INCLUSION
 * (each record against the checkpoint root), then the round itself.
 */

import { fromBase64, utf8 } from './bytes.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import type { Json } from './canonical.js';
import { VerifyError } from './errors.js';
import { nobleVerify } from './keys.js';
import { checkInclusion, leafHash } from './merkle.js';
import { openNote, parseVerifierKey, type VerifierKey } from './note.js';
import { encodeRecord, parseRecord, type LogRecord, type SignatureVerifier } from './record.js';
import { verifyRound, type RoundVerdict } from './round.js';

export const RECEIPT_VERSION = 1;

export interface Receipt {
  version: number;
  outcome: LogRecord;
  commit?: LogRecord | null;
  reveal?: LogRecord | null;
  /** The signed checkpoint note. */
  checkpoint: string;
  /** seq (decimal) → inclusion proof, base64 hashes, leaf side first. */
  proofs: Record<string, string[]>;
}

export interface ReceiptVerdict extends RoundVerdict {
  checkpoint: Checkpoint;
}

const MEMBERS = new Set(['version', 'outcome', 'commit', 'reveal', 'checkpoint', 'proofs']);

type KeyInput = string | VerifierKey;

/**
 * Verifies a receipt (object or JSON text) with the log's verifier key
 * (GET /v1/keys `vkey`): its key signs both the checkpoint and the records.
 * A log whose key was replaced has several: pass them all (one origin), and
 * each record and the checkpoint may be signed by any of them.
 * @throws VerifyError naming the failed check and record
 * @throws TypeError for a malformed vkey, or keys of two origins
 */
export function verifyReceipt(receipt: Receipt | string, vkeys: KeyInput | readonly KeyInput[], verify: SignatureVerifier = nobleVerify): ReceiptVerdict {
  const keys = (Array.isArray(vkeys) ? vkeys : [vkeys as KeyInput]).map((k) => (typeof k === 'string' ? parseVerifierKey(k) : k));
  const key = keys[0];
  if (!key) throw new TypeError('vkey: at least one verifier key is needed');
  const other = keys.find((k) => k.name !== key.name);
  if (other) throw new TypeError(`vkey: keys of two logs (${key.name}, ${other.name})`);
  const r = parseReceipt(receipt);
  const checkpoint = openCheckpoint(r.checkpoint, keys, verify);
  const records = [r.outcome, r.commit, r.reveal].filter((x): x is LogRecord => x !== undefined && x !== null);
  const included = records.map((record) => {
    checkIncluded(record, r.proofs, checkpoint);
    return `record ${record.seq}: included in the checkpoint of size ${checkpoint.size}`;
  });
  for (const record of records) parseRecord(encodeRecord(record)); // shape: after inclusion, the log signed it
  const verdict = verifyRound({ outcome: r.outcome, commit: r.commit ?? null, reveal: r.reveal ?? null }, keys.map((k) => k.publicKey), verify);
  const checks = [`checkpoint signed by ${key.name}: ${checkpoint.size} records`, ...included, ...verdict.checks];
  return { ...verdict, checks, checkpoint };
}

function parseReceipt(receipt: Receipt | string): Receipt {
  const fail = (why: string): never => {
    throw new VerifyError('FORMAT', `receipt: ${why}`);
  };
  let value: unknown = receipt;
  if (typeof receipt === 'string') {
    try {
      value = JSON.parse(receipt);
    } catch {
      fail('not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('not a JSON object');
  const r = value as Record<string, unknown>;
  const unknown = Object.keys(r).find((k) => !MEMBERS.has(k));
  if (unknown !== undefined) fail(`unknown member ${JSON.stringify(unknown)}`);
  if (r.version !== RECEIPT_VERSION) fail(`unsupported version ${JSON.stringify(r.version)}`);
  for (const name of ['outcome', 'commit', 'reveal'] as const) {
    const x = r[name];
    if (name === 'outcome' ? !isObject(x) : x !== undefined && x !== null && !isObject(x)) fail(`${name}: expected a record`);
  }
  if (typeof r.checkpoint !== 'string') fail('checkpoint: expected the signed note text');
  if (!isObject(r.proofs)) fail('proofs: expected an object of seq → base64 hashes');
  return r as unknown as Receipt;
}

function openCheckpoint(note: string, keys: VerifierKey[], verify: SignatureVerifier): Checkpoint {
  const checkpoint = parseCheckpoint(openNote(note, keys, verify).body);
  const log = keys[0]!.name;
  if (checkpoint.origin !== log) {
    throw new VerifyError('CHECKPOINT', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the key's log ${JSON.stringify(log)}`);
  }
  return checkpoint;
}

/** The record, exactly as the log stored it, is leaf seq of the checkpoint's tree. */
function checkIncluded(record: LogRecord, proofs: Record<string, string[]>, checkpoint: Checkpoint): void {
  const seq = (record as { seq?: unknown }).seq;
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) throw new VerifyError('INCLUSION', 'a record without a valid seq has no place in the log');
  const fail = (check: 'FORMAT' | 'INCLUSION', why: string): never => {
    throw new VerifyError(check, why, seq as number);
  };
  let text: string;
  try {
    text = encodeRecord(record);
  } catch (err) {
    return fail('INCLUSION', `record cannot be encoded (${(err as Error).message}), so it is not the record the log stored`);
  }
  const path = Object.hasOwn(proofs, String(seq)) ? (proofs[String(seq)] as unknown) : undefined;
  if (!Array.isArray(path)) return fail('INCLUSION', 'the receipt has no inclusion proof for this record');
  const hashes = path.map((h: Json, i) => {
    try {
      return fromBase64(h as string, `proofs[${seq}][${i}]`);
    } catch (err) {
      return fail('INCLUSION', `inclusion proof: ${(err as Error).message}`);
    }
  });
  if (checkpoint.size <= (seq as number)) fail('INCLUSION', `record is not in the checkpoint, which covers records 0 to ${checkpoint.size - 1}`);
  checkInclusion({ index: seq as number, size: checkpoint.size, leafHash: leafHash(utf8(text)), proof: hashes, root: checkpoint.root });
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
