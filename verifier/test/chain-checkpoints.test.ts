/**
 * ChainAuditor on checkpoint records (docs/PROTOCOL.md §8.4): a log built
 * here with @noble and a fixed key passes; a checkpoint whose root is not
 * the root of the records before it, whose size is not its seq, whose body
 * disagrees with its note, whose note another key signed, or whose origin
 * changes along the chain fails CHECKPOINT naming its seq. A range that does
 * not start at 0 checks notes but recomputes roots only given the tree below it.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  ChainAuditor, encodeRecord, formatCheckpoint, formatSignedNote, GENESIS_PREV, keyId, leafHash, noteKeyId, recordHash,
  rootFromLeafHashes, signingMessage, toBase64, toHex, utf8, VerifyError, type Body, type LogRecord,
} from '../src/index.js';

const seed = new Uint8Array(32).fill(42);
const publicKey = ed25519.getPublicKey(seed);
const ORIGIN = 'example.org/log';

function note(origin: string, size: number, root: Uint8Array, key = seed): string {
  const body = formatCheckpoint({ origin, size, root });
  return formatSignedNote(body, [{ name: origin, keyId: noteKeyId(origin, ed25519.getPublicKey(key)), signature: ed25519.sign(utf8(body), key) }]);
}

type Tweak = (size: number, root: Uint8Array) => Body;
const honest: Tweak = (size, root) => ({ size, root: toBase64(root), note: note(ORIGIN, size, root) });

/** boot, then `n` health records with a checkpoint after every 3; `tweak` makes the checkpoint at seq `at`. */
function buildLog(n: number, at = -1, tweak: Tweak = honest): LogRecord[] {
  const records: LogRecord[] = [];
  const append = (type: LogRecord['type'], body: Body) => {
    const prev = records.at(-1);
    const unsigned = { v: 1, chain: 'c', seq: records.length, time: 1000 + records.length, type, prev: prev?.hash ?? GENESIS_PREV, key: keyId(publicKey), body };
    const hash = recordHash(unsigned);
    records.push({ ...unsigned, hash: toHex(hash), sig: toHex(ed25519.sign(signingMessage(hash), seed)) });
  };
  append('boot', { software: { name: 't', version: '0', digest: '0'.repeat(64) }, config: '0'.repeat(64), sources: [], publicKey: toHex(publicKey) });
  for (let i = 0; i < n; i++) {
    append('health', { source: 's', status: 'ok', i });
    if (i % 3 === 2) {
      const size = records.length;
      const root = rootFromLeafHashes(records.map((r) => leafHash(utf8(encodeRecord(r)))));
      append('checkpoint', (size === at ? tweak : honest)(size, root));
    }
  }
  return records;
}

function audit(records: LogRecord[], options: ConstructorParameters<typeof ChainAuditor>[0] = {}) {
  const auditor = new ChainAuditor({ keys: [publicKey], ...options });
  for (const r of records) auditor.push(r);
  return auditor.finish();
}

function failure(records: LogRecord[], options: ConstructorParameters<typeof ChainAuditor>[0] = {}): VerifyError {
  try {
    audit(records, options);
  } catch (err) {
    if (err instanceof VerifyError) return err;
    throw err;
  }
  throw new Error('the audit passed');
}

describe('ChainAuditor checkpoints', () => {
  it('an honest log passes: every note opens, every root recomputed; the origin is learned or given', () => {
    const log = buildLog(10);
    const checkpoints = log.filter((r) => r.type === 'checkpoint').map((r) => r.seq);
    expect(checkpoints).toEqual([4, 8, 12]);
    expect(audit(log)).toMatchObject({ checkpoints: 3, checkpointRootsRecomputed: 3, origin: ORIGIN });
    expect(audit(log, { origin: ORIGIN }).checkpoints).toBe(3);
    // Trust on first use learns the key from the boot record, and the note key with it.
    const tofu = new ChainAuditor();
    for (const r of log) tofu.push(r, encodeRecord(r));
    expect(tofu.finish()).toMatchObject({ trustedOnFirstUse: true, checkpoints: 3 });
  });

  it('a root that is not the root of the records before it (a real root of a smaller tree)', () => {
    const log = buildLog(10, 8, (size, root) => {
      void root;
      const smaller = rootFromLeafHashes(buildLog(10).slice(0, size - 1).map((r) => leafHash(utf8(encodeRecord(r)))));
      return { size, root: toBase64(smaller), note: note(ORIGIN, size, smaller) };
    });
    const err = failure(log);
    expect([err.check, err.seq]).toEqual(['CHECKPOINT', 8]);
    expect(err.message).toBe('record 8: checkpoint root is not the root of the 8 records before it');
  });

  it('a size other than its seq, a body that differs from its note, a note by another key', () => {
    const other = new Uint8Array(32).fill(7);
    const cases: Array<[Tweak, RegExp]> = [
      [(size, root) => ({ size: size - 1, root: toBase64(root), note: note(ORIGIN, size - 1, root) }), /checkpoint size 7 is not the record's seq/],
      [(size, root) => ({ size, root: toBase64(new Uint8Array(32)), note: note(ORIGIN, size, root) }), /body root differs from the signed note's root/],
      [(size, root) => ({ size: size + 1, root: toBase64(root), note: note(ORIGIN, size, root) }), /body size 9 differs from the signed note's size 8/],
      [(size, root) => ({ size, root: toBase64(root), note: note(ORIGIN, size, root, other) }), /signed note: no signature from a known key/],
      [(size, root) => ({ size, root: toBase64(root), note: note('example.org/other', size, root) }), /checkpoint origin example.org\/other is not the log's origin example.org\/log|no signature from a known key/],
      [(size, root) => ({ size, root: toBase64(root) }), /checkpoint body must be exactly/],
    ];
    for (const [tweak, message] of cases) {
      const err = failure(buildLog(10, 8, tweak));
      expect(err.seq, String(message)).toBe(8);
      expect(err.message).toMatch(message);
    }
    // Given an origin, the first checkpoint must already use it.
    expect(failure(buildLog(10), { origin: 'example.org/other' })).toMatchObject({ check: 'CHECKPOINT', seq: 4 });
  });

  it('a partial range: notes checked, roots recomputed only on top of the given tree below it', () => {
    const log = buildLog(10);
    const from = 6;
    const startPrev = log[from - 1]!.hash;
    expect(audit(log.slice(from), { startPrev })).toMatchObject({ checkpoints: 2, checkpointRootsRecomputed: 0 });
    const leaves = log.map((r) => leafHash(utf8(encodeRecord(r))));
    const startTree = { size: from, roots: [rootFromLeafHashes(leaves.slice(0, 4)), rootFromLeafHashes(leaves.slice(4, 6))] };
    expect(audit(log.slice(from), { startPrev, startTree })).toMatchObject({ checkpoints: 2, checkpointRootsRecomputed: 2 });
    const wrongTree = { size: from, roots: [rootFromLeafHashes(leaves.slice(1, 5)), rootFromLeafHashes(leaves.slice(4, 6))] };
    expect(failure(log.slice(from), { startPrev, startTree: wrongTree })).toMatchObject({ check: 'CHECKPOINT', seq: 8 });
  });
});
