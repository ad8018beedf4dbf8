/**
 * @module checkpoint-record
 * The `checkpoint` record (docs/PROTOCOL.md §8.4): its body is
 *
 *   { "size": n, "root": base64(32-byte root), "note": signed note }
 *
 * where the note is the C2SP checkpoint "origin\nn\nbase64(root)\n" signed by
 * the log's key under the key name origin, and n is the record's own seq: the
 * checkpoint covers every record before it. This module checks a record
 * against itself (note signature, origin, size = seq, body = note); whether
 * the root is the root of those records is for the caller, who holds them
 * (accumulator.ts) or proofs of them (receipt.ts).
 */

import { toBase64 } from './bytes.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { VerifyError } from './errors.js';
import { nobleVerify } from './keys.js';
import { noteKeyId, openNote, type VerifierKey } from './note.js';
import type { LogRecord, SignatureVerifier } from './record.js';

export interface CheckpointBody {
  size: number;
  root: string;
  note: string;
}

/** Note verifier keys of the log's record keys under the name `origin`. */
export function noteKeysFor(origin: string, publicKeys: Iterable<Uint8Array>): VerifierKey[] {
  return [...publicKeys].map((publicKey) => ({ name: origin, keyId: noteKeyId(origin, publicKey), publicKey }));
}

/** The origin a checkpoint body claims (its first line), before anything is verified. */
export function claimedOrigin(record: LogRecord): string | null {
  const note = (record.body as { note?: unknown }).note;
  if (typeof note !== 'string') return null;
  const end = note.indexOf('\n');
  return end > 0 ? note.slice(0, end) : null;
}

/**
 * @returns the checkpoint the record's note signs
 * @throws VerifyError FORMAT (body shape) or CHECKPOINT, naming the record
 */
export function checkCheckpointRecord(record: LogRecord, keys: readonly VerifierKey[], verify: SignatureVerifier = nobleVerify): Checkpoint {
  const { seq } = record;
  const fail = (why: string): never => {
    throw new VerifyError('CHECKPOINT', why, seq);
  };
  if (record.type !== 'checkpoint') fail(`a ${record.type} record is not a checkpoint`);
  const body = record.body as Partial<CheckpointBody>;
  const members = Object.keys(body).sort().join();
  if (members !== 'note,root,size' || !Number.isSafeInteger(body.size) || typeof body.root !== 'string' || typeof body.note !== 'string') {
    throw new VerifyError('FORMAT', 'checkpoint body must be exactly { size (integer), root (string), note (string) }', seq);
  }
  let checkpoint: Checkpoint;
  try {
    const opened = openNote(body.note!, keys, verify);
    checkpoint = parseCheckpoint(opened.body);
    if (!opened.verified.some((s) => s.name === checkpoint.origin)) fail(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the name of the key that signed it`);
  } catch (err) {
    if (err instanceof VerifyError && err.seq === undefined) throw new VerifyError(err.check, err.message, seq, { cause: err });
    throw err;
  }
  if (checkpoint.size !== seq) fail(`checkpoint size ${checkpoint.size} is not the record's seq (it must cover exactly the records before it)`);
  if (body.size !== checkpoint.size) fail(`body size ${body.size} differs from the signed note's size ${checkpoint.size}`);
  if (body.root !== toBase64(checkpoint.root)) fail("body root differs from the signed note's root");
  return checkpoint;
}
