/**
 * @module tlog/signable-root
 * The one root the log may sign for a size. An inclusion proof pins a leaf
 * to a root, not to a tree size, so a checkpoint whose root is not the root
 * of its size, or does not extend the last signed checkpoint, is a second
 * history that inclusion checks alone would not expose.
 */

import { checkConsistency, equalBytes, fromBase64, type LogRecord } from '@rngseal/verifier';
import type { TreeFrontier } from './frontier.js';
import { proveConsistency, treeHash, type HashReader } from './tree.js';

/** A checkpoint record: its seq and the tree it signed. */
export interface CheckpointState {
  seq: number;
  size: number;
  root: Uint8Array;
}

/**
 * The root of the stored tree of `size` leaves, if it is safe to sign: the
 * writer's own tree (built from the records it appended) has the same root,
 * and a consistency proof from the stored tree leads from `last` to it.
 * @throws Error saying why the checkpoint is refused
 */
export async function signableRoot(stored: HashReader, size: number, writer: TreeFrontier, last: CheckpointState | null): Promise<Uint8Array> {
  const root = await treeHash(size, stored);
  if (writer.size !== size || !equalBytes(await writer.root(), root)) {
    throw new Error(`checkpoint refused: the stored tree of size ${size} does not match the records the writer appended`);
  }
  if (last && last.size > 0) {
    const proof = await proveConsistency(last.size, size, stored);
    try {
      checkConsistency({ size1: last.size, root1: last.root, size2: size, root2: root, proof });
    } catch (err) {
      throw new Error(`checkpoint refused: the stored tree of size ${size} does not extend checkpoint ${last.seq} (size ${last.size})`, { cause: err });
    }
  }
  return root;
}

/** The tree a checkpoint record signed, from its body. */
export function checkpointState(record: LogRecord): CheckpointState {
  const body = record.body as { size?: unknown; root?: unknown };
  if (!Number.isSafeInteger(body.size) || typeof body.root !== 'string') throw new Error(`record ${record.seq}: checkpoint body has no size and root`);
  return { seq: record.seq, size: body.size as number, root: fromBase64(body.root, 'root') };
}
