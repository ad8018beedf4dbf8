/**
 * One contract, run unchanged against both stores: SQLite (embedded default)
 * and PostgreSQL (127.0.0.1:5432, a schema of its own per run). A PostgreSQL
 * that is down fails this file; it is never skipped.
 */

import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogStore, StoredRecord } from '../src/store/log-store.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { tempDir } from './helper.js';
import { createDatabase, pgSql } from './pg-admin.js';

export const PG_URL = process.env.RNGSEAL_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test';

interface Harness {
  name: string;
  open(): Promise<LogStore>;
  /** Runs SQL as the database owner, around the store (what an attacker or operator with a client could do). */
  raw(sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

function sqliteHarness(): Harness {
  const path = join(tempDir(), 'contract.db');
  return {
    name: 'sqlite',
    open: async () => new SqliteStore(path),
    raw: async (sql) => void execFileSync('sqlite3', [path, sql], { stdio: 'pipe' }),
    cleanup: async () => {},
  };
}

function postgresHarness(): Harness {
  const schema = `rngseal_contract_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  return {
    name: 'postgres',
    open: async () => new PostgresStore(PG_URL, schema),
    raw: async (sql) => {
      const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
    cleanup: async () => {
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/** A distinct 32-byte hash per (tag, index), its top byte set so BYTEA/BLOB escaping is exercised. */
function th(index: number, tag = 0): { index: number; hash: Uint8Array } {
  const hash = new Uint8Array(32).fill(0xa5 ^ tag);
  new DataView(hash.buffer).setFloat64(0, index);
  hash[31] = 0xff;
  return { index, hash };
}

function rec(chain: string, seq: number, extra: Partial<StoredRecord> = {}): StoredRecord {
  return { chain, seq, type: 'outcome', requestId: null, requestDigest: null, hash: seq.toString(16).padStart(64, '0'), text: `{"seq":${seq}}`, ...extra };
}

for (const make of [sqliteHarness, postgresHarness]) {
  describe(`LogStore contract: ${make.name}`, () => {
    const h = make();
    let store: LogStore;
    beforeAll(async () => {
      store = await h.open();
      await store.migrate();
    });
    afterAll(async () => {
      await store.close();
      await h.cleanup();
    });

    it('migrates idempotently, also from a second instance at the same moment', async () => {
      const others = [await h.open(), await h.open()];
      await Promise.all(others.map((s) => s.migrate()));
      await store.migrate();
      await Promise.all(others.map((s) => s.close()));
    });

    it('appends a batch and reads it back by seq, range, head, type and request id', async () => {
      await store.append({ chain: 'a', records: [rec('a', 0, { type: 'boot' }), rec('a', 1, { requestId: 'r1', requestDigest: 'd1' }), rec('a', 2)], epochs: [], treeHashes: [] });
      expect((await store.head('a'))?.seq).toBe(2);
      expect(await store.record('a', 1)).toEqual(rec('a', 1, { requestId: 'r1', requestDigest: 'd1' }));
      expect((await store.range('a', 1, 5, 10)).map((r) => r.seq)).toEqual([1, 2]);
      expect((await store.range('a', 0, 5, 2)).map((r) => r.seq)).toEqual([0, 1]);
      expect((await store.byType('a', 'boot')).map((r) => r.seq)).toEqual([0]);
      expect((await store.byRequest('r1'))?.seq).toBe(1);
      expect(await store.byRequest('nope')).toBeNull();
      expect(await store.head('empty')).toBeNull();
      expect(await store.chains()).toContain('a');
    });

    it('a batch is all or nothing: a duplicate seq (a fork) rejects the whole batch', async () => {
      await expect(store.append({ chain: 'a', records: [rec('a', 3), rec('a', 2)], epochs: [], treeHashes: [] })).rejects.toThrow();
      expect((await store.head('a'))?.seq).toBe(2);
      expect(await store.record('a', 3)).toBeNull();
    });

    it('a request id is unique across chains', async () => {
      await expect(store.append({ chain: 'b', records: [rec('b', 0, { requestId: 'r1', requestDigest: 'd1' })], epochs: [], treeHashes: [] })).rejects.toThrow();
      expect(await store.head('b')).toBeNull();
    });

    it('the database itself refuses UPDATE and DELETE on records', async () => {
      await expect(h.raw("UPDATE records SET record = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
      await expect(h.raw('DELETE FROM records WHERE seq = 1')).rejects.toThrow(/append-only/);
      expect((await store.record('a', 1))?.text).toBe('{"seq":1}');
    });

    it('epochs are created and advanced in the append transaction', async () => {
      const epoch = { id: 'e1', chain: 'a', sealedSeed: new Uint8Array([1, 2, 3]), commitSeq: 3, nextNonce: 0, expires: null, revealSeq: null };
      await store.append({ chain: 'a', records: [rec('a', 3, { type: 'commit' })], epochs: [epoch], treeHashes: [] });
      await store.append({ chain: 'a', records: [rec('a', 4)], epochs: [{ ...epoch, nextNonce: 5 }], treeHashes: [] });
      expect(await store.epoch('e1')).toEqual({ ...epoch, nextNonce: 5 });
      expect((await store.openEpochs('a')).map((e) => e.id)).toEqual(['e1']);
      await store.append({ chain: 'a', records: [rec('a', 5, { type: 'reveal' })], epochs: [{ ...epoch, nextNonce: 5, revealSeq: 5 }], treeHashes: [] });
      expect(await store.openEpochs('a')).toEqual([]);
    });

    it('latest of a type is the one with the highest seq', async () => {
      expect((await store.latest('a', 'outcome'))?.seq).toBe(4);
      expect((await store.latest('a', 'boot'))?.seq).toBe(0);
      expect(await store.latest('a', 'checkpoint')).toBeNull();
      expect(await store.latest('empty', 'outcome')).toBeNull();
    });

    it('tree hashes are written in the append transaction and read back by index, in the order asked', async () => {
      await store.append({ chain: 't', records: [rec('t', 0), rec('t', 1)], epochs: [], treeHashes: [th(0), th(1), th(2)] });
      await store.append({ chain: 't', records: [rec('t', 2)], epochs: [], treeHashes: [th(3)] });
      await store.append({ chain: 'u', records: [rec('u', 0)], epochs: [], treeHashes: [th(0, 7)] });
      expect(await store.readTreeHashes('t', [3, 0, 2, 1])).toEqual([th(3).hash, th(0).hash, th(2).hash, th(1).hash]);
      expect(await store.readTreeHashes('t', [1, 4, 9_007_199_254_740_000])).toEqual([th(1).hash, null, null]);
      expect(await store.readTreeHashes('u', [0, 1])).toEqual([th(0, 7).hash, null]);
      expect(await store.readTreeHashes('t', [])).toEqual([]);
    });

    it('a batch with a stored tree index taken is refused whole: records and hashes', async () => {
      await expect(store.append({ chain: 't', records: [rec('t', 3)], epochs: [], treeHashes: [th(4), th(3, 1)] })).rejects.toThrow();
      expect(await store.record('t', 3)).toBeNull();
      expect(await store.readTreeHashes('t', [3, 4])).toEqual([th(3).hash, null]);
      // A record that fails takes its hashes with it.
      await expect(store.append({ chain: 't', records: [rec('t', 2)], epochs: [], treeHashes: [th(4)] })).rejects.toThrow();
      expect(await store.readTreeHashes('t', [4])).toEqual([null]);
    });

    it('the database itself refuses UPDATE and DELETE on tree hashes, and a hash that is not 32 bytes', async () => {
      await expect(h.raw("UPDATE tree_hashes SET idx = 99 WHERE chain = 't' AND idx = 1")).rejects.toThrow(/append-only/);
      await expect(h.raw("DELETE FROM tree_hashes WHERE chain = 't' AND idx = 1")).rejects.toThrow(/append-only/);
      await expect(h.raw("INSERT INTO tree_hashes (chain, idx, hash) VALUES ('t', 50, 'short')")).rejects.toThrow();
      expect(await store.readTreeHashes('t', [1, 50])).toEqual([th(1).hash, null]);
    });

    it('tokens: add, look up by hash, list, revoke once', async () => {
      const t = { id: 'tok_000000000001', hash: 'h'.repeat(64), scopes: ['outcomes' as const], label: 'x', created: 1, revoked: null };
      await store.addToken(t);
      expect(await store.tokenByHash(t.hash)).toEqual(t);
      expect((await store.tokens()).map((x) => x.id)).toContain(t.id);
      expect(await store.revokeToken(t.id, 9)).toBe(true);
      expect(await store.revokeToken(t.id, 10)).toBe(false);
      expect((await store.tokenByHash(t.hash))?.revoked).toBe(9);
    });

    it('is writable', async () => {
      expect(await store.writable()).toBe(true);
    });
  });
}

describe('PostgreSQL only', () => {
  it('TRUNCATE on records and on tree hashes is refused', async () => {
    const h = postgresHarness();
    const store = await h.open();
    await store.migrate();
    try {
      await expect(h.raw('TRUNCATE records')).rejects.toThrow(/append-only/);
      await expect(h.raw('TRUNCATE tree_hashes')).rejects.toThrow(/append-only/);
    } finally {
      await store.close();
      await h.cleanup();
    }
  });
});

describe('PostgreSQL only: durable commits', () => {
  it('appends with synchronous_commit on, even where the database default is off', async () => {
    const db = await createDatabase('rngseal_sync');
    try {
      await pgSql(`ALTER DATABASE ${db.name} SET synchronous_commit = off`);
      const store = new PostgresStore(db.url);
      await store.migrate();
      // A trigger that sees the setting inside the append's transaction.
      await pgSql(`CREATE FUNCTION sync_on() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF current_setting('synchronous_commit') <> 'on' THEN RAISE EXCEPTION 'synchronous_commit is %', current_setting('synchronous_commit'); END IF; RETURN NEW; END $$;
        CREATE TRIGGER records_sync_on BEFORE INSERT ON records FOR EACH ROW EXECUTE FUNCTION sync_on()`, db.url);
      expect((await pgSql('SHOW synchronous_commit', db.url)).rows[0].synchronous_commit).toBe('off');
      try {
        await store.append({ chain: 's', records: [rec('s', 0)], epochs: [], treeHashes: [] });
        expect((await store.head('s'))?.seq).toBe(0);
      } finally {
        await store.close();
      }
    } finally {
      await db.drop();
    }
  });
});

describe('SQLite only: pipelined appends', () => {
  it('takes batches in call order, refuses one sent behind a batch that fails, and takes fresh ones after', async () => {
    const h = sqliteHarness();
    const store = await h.open();
    expect(store.pipelinesAppends).toBe(true);
    try {
      await store.append({ chain: 'p', records: [rec('p', 0)], epochs: [], treeHashes: [] });
      // Sent together: 1 commits, 2 fails (seq 0 is taken), 3 chains onto 2 and must not commit although it is valid by itself.
      const results = await Promise.allSettled([
        store.append({ chain: 'p', records: [rec('p', 1)], epochs: [], treeHashes: [] }),
        store.append({ chain: 'p', records: [rec('p', 2), rec('p', 0)], epochs: [], treeHashes: [] }),
        store.append({ chain: 'p', records: [rec('p', 3)], epochs: [], treeHashes: [] }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
      expect((results[2] as PromiseRejectedResult).reason.message).toMatch(/batch below this one failed/);
      expect((await store.head('p'))?.seq).toBe(1);
      expect(await store.record('p', 3)).toBeNull();
      // The caller reloads its head and goes on: a batch sent after the failure was answered is taken.
      await store.append({ chain: 'p', records: [rec('p', 2)], epochs: [], treeHashes: [] });
      expect((await store.head('p'))?.seq).toBe(2);
    } finally {
      await store.close();
    }
  });
});
