/**
 * A log moved SQLite → PostgreSQL → SQLite with `rngseal export` and
 * `rngseal import` (PostgreSQL at 127.0.0.1:5432, a database of its own per
 * run). One data directory (key, chain id, token files) serves all three
 * stores in turn: the open epoch keeps its seed and nonces across the move,
 * tokens carry over (revocations too), the record bytes are identical in
 * every store, each continues the chain, and `rngseal audit` passes on each.
 * Importing twice adds nothing; a conflicting record, a tampered record, an
 * epoch row that disagrees with its records and a truncated file are refused.
 */

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord } from '@rngseal/verifier';
import { SqliteStore } from '../src/store/sqlite.js';
import { runCli, startTestService, tempDir, type TestService } from './helper.js';
import { createDatabase } from './pg-admin.js';

let pgUrl: string;
let dropDatabase: () => Promise<void>;
beforeAll(async () => ({ url: pgUrl, drop: dropDatabase } = await createDatabase('rngseal_xfer')));
afterAll(() => dropDatabase());

type Line = { kind: string; text?: string; id?: string; nextNonce?: number };
const linesOf = (path: string): Line[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
const recordTexts = (path: string): string[] => linesOf(path).filter((l) => l.kind === 'record').map((l) => l.text!);
const writeLines = (path: string, lines: Line[]) => writeFileSync(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));

async function audit(s: TestService, vkey: string): Promise<string> {
  const r = await runCli(['audit', '--url', s.url, '--key', vkey]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

describe('export and import: SQLite → PostgreSQL → SQLite', () => {
  const dataDir = tempDir();
  const work = tempDir('rngseal-xfer-');
  const fromSqlite = join(work, 'from-sqlite.ndjson');
  const fromPostgres = join(work, 'from-postgres.ndjson');
  const backToSqlite = join(work, 'back.db');
  let vkey = '';
  let openEpoch = '';
  let revokedToken = '';

  it('serves on SQLite: a revealed and an open epoch, direct draws, checkpoints, a revoked token; audits', async () => {
    const s = await startTestService({ 'checkpoint-every': '4' }, dataDir);
    try {
      for (const [name, reveal] of [['x-e1', true], ['x-e2', false]] as const) {
        const epoch = (await s.call('POST', '/v1/epochs', { requestId: name })).json.epoch as string;
        for (const i of [1, 2]) {
          const r = await s.call('POST', '/v1/outcome', { requestId: `${name}-${i}`, epoch, clientSeed: 'moving-player', mapping: 'dice', params: { count: 2, sides: 6 } });
          expect(r.status, r.text).toBe(200);
        }
        if (reveal) expect((await s.call('POST', `/v1/epochs/${epoch}/reveal`)).status).toBe(200);
        else openEpoch = epoch;
      }
      for (const i of [1, 2, 3]) expect((await s.call('POST', '/v1/outcome', { requestId: `x-direct-${i}`, mapping: 'shuffle', params: { n: 8 } })).status).toBe(200);
      const created = (await s.call('POST', '/v1/tokens', { scopes: ['outcomes'], label: 'retired game server' }, s.adminToken)).json;
      expect((await s.call('DELETE', `/v1/tokens/${created.info.id}`, undefined, s.adminToken)).status).toBe(200);
      revokedToken = created.token;
      vkey = (await s.call('GET', '/v1/keys')).json[0].vkey;
      expect(await audit(s, vkey)).toMatch(/^OK chain .*\n.*1 epochs revealed and matched\n.*checkpoints of/);
    } finally {
      await s.stop();
    }
  });

  it('export writes a 0600 file; import verifies it into a fresh PostgreSQL; importing it again adds nothing', async () => {
    const exported = await runCli(['export', '--store', join(dataDir, 'rngseal.db'), '--out', fromSqlite]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(statSync(fromSqlite).mode & 0o777).toBe(0o600);
    const n = recordTexts(fromSqlite).length;
    expect(exported.stderr).toMatch(new RegExp(`exported chain \\S+: ${n} records, 2 epochs\\nexported 3 tokens`));
    expect((await runCli(['migrate', '--store', pgUrl])).code).toBe(0);
    const first = await runCli(['import', '--store', pgUrl, fromSqlite, '--key', vkey]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${n} records verified (${n} added, 0 already there)`);
    expect(first.stdout).toMatch(/\d+ checkpoints with roots recomputed; 1 epochs revealed and matched, 1 open; epochs: 2 added, 0 already there/);
    expect(first.stdout).toContain('tokens: 3 added, 0 revoked, 0 already there');
    const again = await runCli(['import', '--store', pgUrl, fromSqlite, '--key', vkey]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`${n} records verified (0 added, ${n} already there)`);
    expect(again.stdout).toContain('epochs: 0 added, 2 already there');
    expect(again.stdout).toContain('tokens: 0 added, 0 revoked, 3 already there');
  });

  it('serves on PostgreSQL from the import: the open epoch draws its next nonce and reveals, tokens carry over, the chain audits; no import while it writes', async () => {
    const s = await startTestService({ store: pgUrl, 'checkpoint-every': '4' }, dataDir);
    try {
      const r = await s.call('POST', '/v1/outcome', { requestId: 'x-e2-3', epoch: openEpoch, clientSeed: 'moving-player', mapping: 'dice', params: { count: 2, sides: 6 } });
      expect(r.status, r.text).toBe(200); // the game-server token of the SQLite days
      expect(r.json.record.body.draws[0].nonce).toBe(2);
      expect((await s.call('POST', `/v1/epochs/${openEpoch}/reveal`)).status).toBe(200);
      expect((await s.call('POST', '/v1/outcome', { requestId: 'x-pg-1', mapping: 'dice', params: { count: 1, sides: 20 } })).status).toBe(200);
      expect((await s.call('POST', '/v1/outcome', { requestId: 'x-pg-2', mapping: 'dice', params: { count: 1, sides: 20 } }, revokedToken)).status).toBe(401);
      expect(await audit(s, vkey)).toMatch(/2 epochs revealed and matched/);
      const busy = await runCli(['import', '--store', pgUrl, fromSqlite, '--key', vkey]);
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`chain ${s.chain}: instance \\S+ holds its writer lease: stop the instances writing to it before importing`));
    } finally {
      await s.stop();
    }
  });

  it('export from PostgreSQL, import into a fresh SQLite: identical record bytes in all three stores; it serves, continues and audits', async () => {
    const exported = await runCli(['export', '--store', pgUrl, '--out', fromPostgres]);
    expect(exported.code, exported.stderr).toBe(0);
    const imported = await runCli(['import', '--store', backToSqlite, fromPostgres, '--key', vkey]);
    expect(imported.code, imported.stderr).toBe(0);
    const sqliteTexts = recordTexts(fromSqlite);
    const postgresTexts = recordTexts(fromPostgres);
    expect(postgresTexts.length).toBeGreaterThan(sqliteTexts.length);
    expect(postgresTexts.slice(0, sqliteTexts.length)).toEqual(sqliteTexts);
    const s = await startTestService({ store: backToSqlite }, dataDir);
    try {
      expect((await s.call('GET', '/v1/export')).text.split('\n').slice(0, postgresTexts.length)).toEqual(postgresTexts);
      expect((await s.call('POST', '/v1/outcome', { requestId: 'x-back-1', mapping: 'dice', params: { count: 1, sides: 6 } })).status).toBe(200);
      expect(await audit(s, vkey)).toMatch(/2 epochs revealed and matched/);
    } finally {
      await s.stop();
    }
  });

  it('refuses a different record at a (chain, seq) the store has, leaving the store as it was', async () => {
    const diverged = join(work, 'diverged.db');
    expect((await runCli(['import', '--store', diverged, fromSqlite, '--key', vkey])).code).toBe(0);
    const s = await startTestService({ store: diverged }, dataDir); // its boot record takes the seq PostgreSQL gave to its own
    await s.stop();
    const before = await headOf(diverged);
    const seq = recordTexts(fromSqlite).length;
    const r = await runCli(['import', '--store', diverged, fromPostgres, '--key', vkey]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`chain \\S+: the store already has a different record ${seq}: refusing to import over it`));
    expect(await headOf(diverged)).toEqual(before);
  });

  it('refuses a tampered record, an epoch row behind its records, a truncated file, a record without its request id, and what is not an export', async () => {
    const lines = linesOf(fromPostgres);
    const victim = lines.findIndex((l) => l.kind === 'record' && l.text!.includes('"type":"outcome"'));
    const seq = parseRecord(lines[victim]!.text!).seq;
    const cases: Array<[string, Line[], RegExp]> = [
      ['tampered', lines.map((l, i) => (i === victim ? { ...l, text: l.text!.replace('"clientSeed":"', '"clientSeed":"x') } : l)), new RegExp(`chain \\S+: record ${seq}: `)],
      ['behind', linesOf(fromSqlite).map((l) => (l.kind === 'epoch' && l.id === openEpoch ? { ...l, nextNonce: 0 } : l)), new RegExp(`epoch ${openEpoch}: the export says nextNonce 0, its records say 2`)],
      ['truncated', lines.slice(0, -1), /the export has no end line \(truncated\?\)/],
      // A record stripped of its request id would let a retry of its request draw again.
      ['unrequested', lines.map((l, i) => (i === victim ? { ...l, requestId: null, requestDigest: null } : l)), new RegExp(`record ${seq}: requestId null is not the record's request`)],
      ['not-export', recordTexts(fromSqlite).map((text) => JSON.parse(text) as Line), /line 1: not an rngseal export/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(work, `${name}.ndjson`);
      writeLines(file, content);
      const r = await runCli(['import', '--store', join(work, `${name}.db`), file, '--key', vkey]);
      expect(r.code, `${name}: ${r.stdout} ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toMatch(message);
    }
    const missing = await runCli(['export', '--store', join(work, 'nothing-here.db')]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/--store: .*nothing-here.db does not exist/)]);
    const unknown = await runCli(['export', '--store', pgUrl, '--chain', 'no-such-chain']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('chain no-such-chain: no records in this store')]);
  });
});

async function headOf(path: string): Promise<string | undefined> {
  const store = new SqliteStore(path);
  try {
    const chain = (await store.chains())[0]!;
    return (await store.head(chain))?.text;
  } finally {
    await store.close();
  }
}
