/**
 * @module tlog/checkpoint-signer
 * The body of a `checkpoint` record (docs/PROTOCOL.md §8.4):
 *
 *   { "size": leaves covered, "root": base64 of the 32-byte root, "note": signed note }
 *
 * The note is the C2SP tlog-checkpoint body "origin\nsize\nbase64(root)\n"
 * signed with the service's record key under the key name `origin`, so any
 * C2SP tooling (Go's sumdb/note, witnesses) can check it with the verifier
 * key alone. Size and root are repeated outside the note for readers of the
 * record; a verifier requires them to equal the note's.
 */

import { formatCheckpoint, toBase64, type Body } from '@rngseal/verifier';
import { noteSignerForKey, signNote, type NoteSigner } from './note-signer.js';

export interface CheckpointSigner {
  origin: string;
  /** The verifier key text clients use to open the notes (GET /v1/keys `vkey`). */
  verifierKey: string;
  body(size: number, root: Uint8Array): Body;
}

export function checkpointSigner(origin: string, key: { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array }): CheckpointSigner {
  const signer: NoteSigner = noteSignerForKey(origin, key);
  return {
    origin,
    verifierKey: signer.verifierKey,
    body: (size, root) => ({ size, root: toBase64(root), note: signNote(formatCheckpoint({ origin, size, root }), [signer]) }),
  };
}
