/**
 * Overlapped group commit: the next batch is built and signed on top of the
 * one being appended. When an append fails in the store, the batch built on
 * it is refused too, no gap or fork ever reaches the log, every resolved
 * submit is stored as answered, and the sequencer resumes on the stored head
 * and the stored tree (which holds no hash of a refused batch).
 */

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leafHash, recordHash, utf8, type Json, type LogRecord } from '@rngseal/verifier';
import { EpochBook } from '../src/engine/epochs.js';
import { Sequencer, type Appended } from '../src/engine/sequencer.js';
import type { Entropy } from '../src/entropy/entropy.js';
import { SeedSealer } from '../src/seal.js';
import { Signer } from '../src/signer.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { storedHashCount, storedHashesForRecord, type HashReader } from '../src/tlog/tree.js';

const entropy: Entropy = { healthy: true, draw: (n: number) => new Uint8Array(randomBytes(n)), sources: (): Json[] => [] };

let dir: string | undefined;
let store: SqliteStore | undefined;
let signer: Signer | undefined;
afterEach(async () => {
  await store?.close();
  await signer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(maxBatch: number): Promise<Sequencer> {
  dir = mkdtempSync(join(tmpdir(), 'rngseal-pipeline-'));
  store = new SqliteStore(join(dir, 'log.db'));
  await store.migrate();
  signer = new Signer(generateKeyPairSync('ed25519').privateKey);
  const sequencer = new Sequencer('pipe', store, signer, entropy, new EpochBook(store, new SeedSealer(new Uint8Array(32))), {}, maxBatch);
  await sequencer.load();
  return sequencer;
}

const submit = (sequencer: Sequencer, requestId: string) =>
  sequencer.submit(() => ({ type: 'outcome', body: { request: requestId }, requestId, requestDigest: 'd' }));

/** The stored chain: seq 0..n-1 without a gap, each record linked to the one before and hashing to its hash. */
async function checkChain(): Promise<LogRecord[]> {
  const rows = await store!.range('pipe', 0, Number.MAX_SAFE_INTEGER, 1_000_000);
  const records = rows.map((r) => JSON.parse(r.text) as LogRecord);
  records.forEach((r, i) => {
    expect(r.seq).toBe(i);
    if (i > 0) expect(r.prev).toBe(records[i - 1]!.hash);
    expect(Buffer.from(recordHash(r)).toString('hex')).toBe(r.hash);
  });
  return records;
}

/** The stored tree is exactly the tree of the stored records' texts: no hash of a refused batch, none missing. */
async function expectStoredTree(rows: { text: string }[]): Promise<void> {
  const memory: HashReader & { hashes: Uint8Array[] } = { hashes: [], readHashes: (ix) => ix.map((i) => memory.hashes[i]!) };
  for (const [n, row] of rows.entries()) memory.hashes.push(...(await storedHashesForRecord(n, leafHash(utf8(row.text)), memory)));
  const count = storedHashCount(rows.length);
  const indexes = Array.from({ length: count + 3 }, (_, i) => i);
  expect(await store!.readTreeHashes('pipe', indexes)).toEqual([...memory.hashes, null, null, null]);
}

describe('overlapped group commit', () => {
  it('a failed batch takes the batch built on it down with it, never leaving a gap', async () => {
    const sequencer = await open(4);
    await Promise.all(Array.from({ length: 8 }, (_, i) => submit(sequencer, `early-${i}`)));
    // Waves of submits; one reuses a stored request id, so its batch fails in the store's unique index.
    const ids = Array.from({ length: 400 }, (_, i) => (i === 150 ? 'early-3' : `r-${i}`));
    const settled = await Promise.allSettled(ids.map((id) => submit(sequencer, id)));
    const rejected = settled.filter((s) => s.status === 'rejected').length;
    expect(rejected).toBeGreaterThanOrEqual(1);
    expect(settled[150]!.status).toBe('rejected');

    // And it resumes: later submits append on the stored head.
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(sequencer, `after-${i}`)));
    const records = await checkChain();
    const stored = new Map(records.map((r) => [(r.body as { request: string }).request, r]));
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') {
        const [a] = s.value as Appended[];
        expect(stored.get(ids[i]!)?.hash).toBe(a!.record.hash); // answered ⇒ stored, as answered
      } else if (ids[i] !== 'early-3') {
        expect(stored.has(ids[i]!)).toBe(false); // refused ⇒ not stored
      }
    });
    for (const [a] of after) expect(stored.get((a!.record.body as { request: string }).request)?.hash).toBe(a!.record.hash);
    expect(sequencer.head?.seq).toBe(records.length - 1);
    await expectStoredTree(await store!.range('pipe', 0, Number.MAX_SAFE_INTEGER, 1_000_000));
    await sequencer.close();
  });
});
