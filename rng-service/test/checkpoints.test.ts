/**
 * The sequencer's checkpoints (src/engine/sequencer.ts): one after every
 * `every` records and on request, each covering exactly the records before
 * it, its note signed with the record key under the origin, its root the
 * root of those records' stored texts; a failed append below a checkpoint
 * leaves no checkpoint of records that do not exist; and a stored tree that
 * does not extend the last checkpoint is never signed. (SQLite, and the
 * count rule once on PostgreSQL.)
 */

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChainAuditor, fromBase64, leafHash, openNote, parseCheckpoint, parseRecord, parseVerifierKey, rootFromLeafHashes, utf8,
  type Json, type LogRecord,
} from '@rngseal/verifier';
import { opensslVerify } from '../src/chain-check.js';
import { EpochBook } from '../src/engine/epochs.js';
import { Sequencer } from '../src/engine/sequencer.js';
import type { Entropy } from '../src/entropy/entropy.js';
import { SeedSealer } from '../src/seal.js';
import { Signer } from '../src/signer.js';
import type { LogStore } from '../src/store/log-store.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { checkpointSigner } from '../src/tlog/checkpoint-signer.js';
import { storedHashIndex } from '../src/tlog/tree.js';

const entropy: Entropy = { healthy: true, draw: (n: number) => new Uint8Array(randomBytes(n)), sources: (): Json[] => [] };
const ORIGIN = 'example.com/rngseal-test';

let dir: string | undefined;
let store: LogStore | undefined;
let signer: Signer | undefined;
afterEach(async () => {
  await store?.close();
  await signer?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = store = signer = undefined;
});

async function open(every: number, maxBatch = 4, errors: unknown[] = [], make?: () => LogStore): Promise<Sequencer> {
  dir ??= mkdtempSync(join(tmpdir(), 'rngseal-checkpoints-'));
  store = make?.() ?? new SqliteStore(join(dir, 'log.db'));
  await store.migrate();
  signer ??= new Signer(generateKeyPairSync('ed25519').privateKey);
  const body = checkpointSigner(ORIGIN, signer).body;
  const sequencer = new Sequencer('cp', store, signer, entropy, new EpochBook(store, new SeedSealer(new Uint8Array(32))), {
    onCheckpointError: (err) => errors.push(err),
  }, maxBatch, { every, body });
  await sequencer.load();
  return sequencer;
}

const submit = (sequencer: Sequencer, requestId: string) =>
  sequencer.submit(() => ({ type: 'outcome', body: { request: requestId }, requestId, requestDigest: 'd' }));

async function storedRecords(): Promise<{ records: LogRecord[]; texts: string[] }> {
  const rows = await store!.range('cp', 0, Number.MAX_SAFE_INTEGER, 1_000_000);
  return { records: rows.map((r) => parseRecord(r.text)), texts: rows.map((r) => r.text) };
}

/** Every checkpoint: note opens under the vkey, size = seq, root = MTH of the texts before it. */
function expectCheckpoints(records: LogRecord[], texts: string[]): LogRecord[] {
  const vkey = parseVerifierKey(checkpointSigner(ORIGIN, signer!).verifierKey);
  const leaves = texts.map((t) => leafHash(utf8(t)));
  const checkpoints = records.filter((r) => r.type === 'checkpoint');
  for (const c of checkpoints) {
    const body = c.body as { size: number; root: string; note: string };
    const cp = parseCheckpoint(openNote(body.note, [vkey]).body);
    expect(cp).toEqual({ origin: ORIGIN, size: c.seq, root: fromBase64(body.root) });
    expect(body.size).toBe(c.seq);
    expect(cp.root).toEqual(rootFromLeafHashes(leaves.slice(0, c.seq)));
  }
  // The auditor agrees, recomputing the tree as it streams.
  const auditor = new ChainAuditor({ keys: [signer!.publicKey], verifySignature: opensslVerify, origin: ORIGIN, checkBodies: false });
  records.forEach((r, i) => auditor.push(r, texts[i]));
  const report = auditor.finish();
  expect(report.checkpoints).toBe(checkpoints.length);
  expect(report.checkpointRootsRecomputed).toBe(checkpoints.length);
  return checkpoints;
}

describe('checkpoints', () => {
  it('one after every `every` records, each covering exactly the records before it', async () => {
    const sequencer = await open(10);
    await Promise.all(Array.from({ length: 45 }, (_, i) => submit(sequencer, `r-${i}`)));
    await sequencer.close();
    const { records, texts } = await storedRecords();
    const checkpoints = expectCheckpoints(records, texts);
    expect(checkpoints.map((c) => c.seq)).toEqual([10, 21, 32, 43]);
    expect(sequencer.lastCheckpoint?.seq).toBe(43);
  });

  it('the same on PostgreSQL', async () => {
    const url = process.env.RNGSEAL_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test';
    const schema = `rngseal_checkpoints_${randomBytes(4).toString('hex')}`;
    const sequencer = await open(10, 4, [], () => new PostgresStore(url, schema));
    try {
      await Promise.all(Array.from({ length: 45 }, (_, i) => submit(sequencer, `r-${i}`)));
      await sequencer.close();
      const { records, texts } = await storedRecords();
      expect(expectCheckpoints(records, texts).map((c) => c.seq)).toEqual([10, 21, 32, 43]);
    } finally {
      await store!.close();
      store = undefined;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  });

  it('checkpoint() covers every durable record, and is a no-op right after a checkpoint', async () => {
    const sequencer = await open(1000);
    expect(await sequencer.checkpoint()).toBeNull(); // an empty log
    await Promise.all(Array.from({ length: 7 }, (_, i) => submit(sequencer, `r-${i}`)));
    const first = await sequencer.checkpoint();
    expect(first?.record.seq).toBe(7);
    expect(await sequencer.checkpoint()).toBeNull();
    // Requested while records are being submitted: it lands between them, covering all before it.
    const racing = Array.from({ length: 20 }, (_, i) => submit(sequencer, `s-${i}`));
    const second = sequencer.checkpoint();
    await Promise.all(racing);
    expect((await second)?.record.body.size).toBe((await second)?.record.seq);
    await sequencer.close();
    const { records, texts } = await storedRecords();
    expect(expectCheckpoints(records, texts)).toHaveLength(2);
  });

  it('a failed append below a due checkpoint: no checkpoint of lost records, and the next ones are consistent', async () => {
    const sequencer = await open(5, 3);
    await Promise.all(Array.from({ length: 4 }, (_, i) => submit(sequencer, `early-${i}`)));
    const ids = Array.from({ length: 120 }, (_, i) => (i % 37 === 20 ? 'early-1' : `r-${i}`));
    const settled = await Promise.allSettled(ids.map((id) => submit(sequencer, id)));
    expect(settled.filter((s) => s.status === 'rejected').length).toBeGreaterThanOrEqual(3);
    await Promise.all(Array.from({ length: 12 }, (_, i) => submit(sequencer, `after-${i}`)));
    await sequencer.close();
    const { records, texts } = await storedRecords();
    const seqs = expectCheckpoints(records, texts).map((c) => c.seq);
    // Records between checkpoints: `every`, or a few more where a refused batch took the due checkpoint with it.
    const gaps = seqs.map((seq, i) => seq - (i === 0 ? 0 : seqs[i - 1]! + 1));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(5);
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(7);
    expect(gaps.filter((g) => g === 5).length).toBeGreaterThan(gaps.length / 2);
    expect(records.length - 1 - seqs.at(-1)!).toBeLessThan(5);
  });

  it('refuses to sign a stored tree that does not extend the last checkpoint', async () => {
    const errors: unknown[] = [];
    let sequencer = await open(1000);
    await Promise.all(Array.from({ length: 6 }, (_, i) => submit(sequencer, `r-${i}`)));
    await sequencer.checkpoint(); // seq 6, size 6
    await submit(sequencer, 'r-after');
    await sequencer.close();
    await store!.close();
    // Someone with the database file rewrites the stored root of leaves 0–3, under the checkpoint.
    execFileSync('sqlite3', [join(dir!, 'log.db'), `DROP TRIGGER tree_hashes_no_update; UPDATE tree_hashes SET hash = randomblob(32) WHERE idx = ${storedHashIndex(2, 0)};`]);
    sequencer = await open(1000, 4, errors);
    await expect(sequencer.checkpoint()).rejects.toThrow(/checkpoint refused: the stored tree of size 8 does not extend checkpoint 6/);
    // Records still append; no checkpoint was signed.
    await submit(sequencer, 'r-later');
    await sequencer.close();
    const { records } = await storedRecords();
    expect(records.filter((r) => r.type === 'checkpoint').map((r) => r.seq)).toEqual([6]);
  });
});
