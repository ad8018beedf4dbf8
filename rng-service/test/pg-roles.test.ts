/**
 * The service as a restricted PostgreSQL role (127.0.0.1:5432, a database and
 * roles of its own per run): `rngseal migrate --grant` run by the owner gives
 * the service role exactly SERVICE_GRANTS; the service then starts without
 * DDL and serves; as that role the log cannot be updated, deleted, truncated
 * or un-triggered; a schema behind, or a role without the grants, is refused
 * at start with what to run; and an owner's psql edit stops the start, naming the seq.
 * docs/postgres.md's grants table is checked against SERVICE_GRANTS.
 */

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainAuditor, fromHex, parseRecord } from '@rngseal/verifier';
import { SERVICE_GRANTS } from '../src/store/postgres-roles.js';
import { runCli, startTestService, tempDir } from './helper.js';
import { PG_ADMIN, pgSql } from './pg-admin.js';

const ADMIN = PG_ADMIN;
const tag = randomBytes(4).toString('hex');
const db = `rngseal_roles_${tag}`;
const owner = `rngseal_owner_${tag}`;
const service = `rngseal_svc_${tag}`;
const bare = `rngseal_bare_${tag}`;
const as = (role: string) => ADMIN.replace(/\/\/[^@/]*@/, `//${role}@`).replace(/\/[^/]*$/, `/${db}`);

const sql = (url: string, text: string) => pgSql(text, url);

/** The error a statement fails with, or null. */
const failure = (url: string, text: string) => sql(url, text).then(() => null, (e: Error & { code?: string }) => e);

beforeAll(async () => {
  await sql(ADMIN, `CREATE ROLE ${owner} LOGIN; CREATE ROLE ${service} LOGIN; CREATE ROLE ${bare} LOGIN`);
  await sql(ADMIN, `CREATE DATABASE ${db} OWNER ${owner}`);
});
afterAll(async () => {
  await sql(ADMIN, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await sql(ADMIN, `DROP ROLE IF EXISTS ${owner}; DROP ROLE IF EXISTS ${service}; DROP ROLE IF EXISTS ${bare}`);
});

describe('PostgreSQL roles: owner migrates, the service appends', () => {
  const dataDir = tempDir();

  it('the service role cannot start on an unmigrated database, and creates nothing there', async () => {
    const err = await startTestService({ store: as(service) }, dataDir).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(new RegExp(`the schema is at version 0, this rngseal needs \\d+, and role ${service} may not change it: run rngseal migrate .*--grant ${service} as the owner`));
    expect((await sql(as(owner), `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n).toBe(0);
  });

  it('migrate --grant refuses a role that does not exist, a superuser, the owner, and a SQLite store', async () => {
    for (const [role, message] of [[`nobody_${tag}`, /does not exist: create it first/], ['root', /is a superuser/], [owner, /owns the log tables/]] as const) {
      const r = await runCli(['migrate', '--store', as(owner), '--grant', role]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    const sqlite = await runCli(['migrate', '--store', `${tempDir()}/x.db`, '--grant', service]);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toContain('--grant: roles exist only in a postgres:// store');
  });

  it('migrate --grant as the owner gives exactly SERVICE_GRANTS, revoking anything more', async () => {
    const first = await runCli(['migrate', '--store', as(owner), '--grant', service]);
    expect(first.code, first.stderr).toBe(0);
    await sql(as(owner), `GRANT UPDATE, DELETE ON records TO ${service}`); // too much, by hand
    const again = await runCli(['migrate', '--store', as(owner), '--grant', service]);
    expect(again.code, again.stderr).toBe(0);
    const tables = await sql(as(owner), `SELECT table_name || ' ' || privilege_type AS g FROM information_schema.role_table_grants WHERE grantee = '${service}' ORDER BY 1`);
    expect(tables.rows.map((r) => r.g)).toEqual(SERVICE_GRANTS.flatMap((g) => g.privileges.map((p) => `${g.table} ${p}`)).sort());
    // information_schema lists a table-wide UPDATE once per column too: look at the other tables.
    const columnWise = SERVICE_GRANTS.filter((g) => !g.privileges.includes('UPDATE')).map((g) => `'${g.table}'`).join(', ');
    const columns = await sql(as(owner), `SELECT table_name || '.' || column_name AS c FROM information_schema.column_privileges
      WHERE grantee = '${service}' AND privilege_type = 'UPDATE' AND table_name IN (${columnWise}) ORDER BY 1`);
    expect(columns.rows.map((r) => r.c)).toEqual(SERVICE_GRANTS.flatMap((g) => (g.updates ?? []).map((c) => `${g.table}.${c}`)).sort());
    expect(columns.rows.map((r) => r.c)).toContain('epochs.next_nonce');
  });

  it('docs/postgres.md lists exactly SERVICE_GRANTS', () => {
    const doc = readFileSync(new URL('../../docs/postgres.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)].map((m) => `${m[1]}: ${m[2]!.trim()}`);
    const grants = SERVICE_GRANTS.map((g) => `${g.table}: ${[...g.privileges, ...(g.updates ? [`UPDATE (${g.updates.join(', ')})`] : [])].join(', ')}`);
    expect(rows).toEqual(grants);
  });

  it('the service runs as the restricted role: epochs, outcomes, reveal, checkpoints, tokens; the export audits', async () => {
    const s = await startTestService({ store: as(service), 'checkpoint-every': '3' }, dataDir);
    try {
      const e = (await s.call('POST', '/v1/epochs', { requestId: 'r-e' })).json;
      for (const i of [1, 2]) {
        const r = await s.call('POST', '/v1/outcome', { requestId: `r-${i}`, epoch: e.epoch, clientSeed: 'restricted-seed', mapping: 'dice', params: { count: 2, sides: 6 } });
        expect(r.status, r.text).toBe(200);
      }
      expect((await s.call('POST', '/v1/outcome', { requestId: 'r-3', mapping: 'shuffle', params: { n: 10 } })).status).toBe(200);
      expect((await s.call('POST', `/v1/epochs/${e.epoch}/reveal`)).status).toBe(200);
      const created = await s.call('POST', '/v1/tokens', { scopes: ['outcomes'], label: 'second game server' }, s.adminToken);
      expect(created.status, created.text).toBe(200);
      expect((await s.call('DELETE', `/v1/tokens/${created.json.info.id}`, undefined, s.adminToken)).status).toBe(200);
      const key = fromHex((await s.call('GET', '/v1/keys')).json[0].publicKey);
      const auditor = new ChainAuditor({ keys: [key] });
      for (const line of (await s.call('GET', '/v1/export')).text.trim().split('\n')) auditor.push(parseRecord(line), line);
      const report = auditor.finish();
      expect(report.epochsRevealed).toBe(1);
      expect(report.checkpoints).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
  });

  it('as the service role, the log cannot be updated, deleted, truncated, un-triggered or rewritten around', async () => {
    const svc = as(service);
    for (const table of ['records', 'tree_hashes']) {
      for (const statement of [`UPDATE ${table} SET chain = chain`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        const err = await failure(svc, statement);
        expect(err?.code, statement).toBe('42501');
        expect(err?.message).toContain(`permission denied for table ${table}`);
      }
      expect((await failure(svc, `ALTER TABLE ${table} DISABLE TRIGGER USER`))?.message).toContain(`must be owner of table ${table}`);
    }
    for (const statement of ['UPDATE epochs SET sealed_seed = sealed_seed', 'UPDATE epochs SET commit_seq = commit_seq', 'DELETE FROM epochs', 'DELETE FROM tokens', 'UPDATE tokens SET scopes = scopes', 'DELETE FROM schema_version', 'CREATE TABLE sneaky (x int)']) {
      expect((await failure(svc, statement))?.code, statement).toBe('42501');
    }
    // What it may change in place: epoch progress and token revocation.
    expect(await failure(svc, 'UPDATE epochs SET next_nonce = next_nonce, reveal_seq = reveal_seq WHERE false')).toBeNull();
    expect(await failure(svc, 'UPDATE tokens SET revoked = revoked WHERE false')).toBeNull();
  });

  it('rngseal token create, list and revoke on the store as the service role', async () => {
    const created = await runCli(['token', 'create', '--scope', 'outcomes', '--label', 'cli-made', '--store', as(service)]);
    expect(created.code, created.stderr).toBe(0);
    const [id, token] = created.stdout.trim().split('\n').map((l) => l.split(' ')[0]!);
    expect(token).toMatch(/^rsk_/);
    const stored = await sql(as(owner), `SELECT hash, label FROM tokens WHERE id = '${id}'`);
    expect(stored.rows).toEqual([{ hash: createHash('sha256').update(token!).digest('hex'), label: 'cli-made' }]);
    expect((await runCli(['token', 'list', '--store', as(service)])).stdout).toMatch(new RegExp(`^${id}\toutcomes\tactive\tcli-made$`, 'm'));
    expect((await runCli(['token', 'revoke', id!, '--store', as(service)])).code).toBe(0);
    expect((await runCli(['token', 'list', '--store', as(service)])).stdout).toMatch(new RegExp(`^${id}\toutcomes\trevoked`, 'm'));
  });

  it('a role without the grants is refused at start, naming what it lacks', async () => {
    const err = await startTestService({ store: as(bare) }, tempDir()).then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(new RegExp(`role ${bare} lacks schema_version SELECT: run rngseal migrate .*--grant ${bare} as the owner`));
    await sql(as(owner), `GRANT SELECT ON schema_version, records TO ${bare}`);
    const partly = await startTestService({ store: as(bare) }, tempDir()).then(() => null, (e: Error) => e);
    const lacking = SERVICE_GRANTS.flatMap((g) => [
      ...g.privileges.filter((p) => !(p === 'SELECT' && ['schema_version', 'records'].includes(g.table))).map((p) => `${g.table} ${p}`),
      ...(g.updates ?? []).map((c) => `${g.table} UPDATE (${c})`),
    ]);
    expect(lacking).toContain('tree_hashes INSERT');
    expect(partly?.message).toContain(`role ${bare} lacks ${lacking.join(', ')}: run rngseal migrate`);
  });

  it('a schema behind this rngseal is refused for the service role, naming both versions', async () => {
    const { v } = (await sql(as(owner), 'SELECT max(version) AS v FROM schema_version')).rows[0];
    const applied = (await sql(as(owner), `DELETE FROM schema_version WHERE version = ${v} RETURNING applied`)).rows[0].applied;
    try {
      const err = await startTestService({ store: as(service) }, dataDir).then(() => null, (e: Error) => e);
      expect(err?.message).toContain(`the schema is at version ${v - 1}, this rngseal needs ${v}, and role ${service} may not change it`);
    } finally {
      await sql(as(owner), `INSERT INTO schema_version (version, applied) VALUES (${v}, ${applied})`);
    }
  });

  it("an owner's psql edit of a stored record stops the service role's start, naming the seq", async () => {
    const victim = 3;
    const psql = (statement: string) => execFileSync('psql', [as(owner), '-v', 'ON_ERROR_STOP=1', '-c', statement], { stdio: 'pipe' });
    psql('ALTER TABLE records DISABLE TRIGGER records_no_update');
    psql(`UPDATE records SET record = replace(record, '"v":1}', '"v":2}') WHERE seq = ${victim}`);
    await expect(startTestService({ store: as(service), 'verify-full': true }, dataDir)).rejects.toThrow(new RegExp(`record ${victim}:`));
  });
});
