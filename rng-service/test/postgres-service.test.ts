/**
 * The service on PostgreSQL (127.0.0.1:5432, a database of its own per run):
 * it serves and audits as on SQLite, verifies its chain at every start, refuses
 * to start on a record edited by the owner with psql (naming the seq), and an
 * unreachable server is a clear start-up error that never shows the password.
 */

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainAuditor, fromHex, parseRecord } from '@rngseal/verifier';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { runCli, startTestService, tempDir } from './helper.js';
import { createDatabase } from './pg-admin.js';

let url: string;
let dropDatabase: () => Promise<void>;
beforeAll(async () => ({ url, drop: dropDatabase } = await createDatabase('rngseal_svc')));
afterAll(() => dropDatabase());

describe('service on PostgreSQL', () => {
  const dataDir = tempDir();

  it('migrate creates the schema; the service serves, and the export audits', async () => {
    const migrated = await runCli(['migrate', '--store', url]);
    expect(migrated.code, migrated.stderr).toBe(0);
    const s = await startTestService({ store: url }, dataDir);
    try {
      const e = (await s.call('POST', '/v1/epochs', { requestId: 'pg-e' })).json;
      expect((await s.call('POST', '/v1/outcome', { requestId: 'pg-1', epoch: e.epoch, clientSeed: 'pg-player-seed', mapping: 'dice', params: { count: 2, sides: 6 } })).status).toBe(200);
      expect((await s.call('POST', '/v1/outcome', { requestId: 'pg-2', mapping: 'shuffle', params: { n: 52 } })).status).toBe(200);
      expect((await s.call('POST', `/v1/epochs/${e.epoch}/reveal`)).status).toBe(200);
      const retry = await s.call('POST', '/v1/outcome', { requestId: 'pg-2', mapping: 'shuffle', params: { n: 52 } });
      expect(retry.json.record.seq).toBe((await s.call('GET', '/v1/rounds/pg-2')).json.outcome.seq);
      const key = fromHex((await s.call('GET', '/v1/keys')).json[0].publicKey);
      const auditor = new ChainAuditor({ keys: [key] });
      for (const line of (await s.call('GET', '/v1/export')).text.trim().split('\n')) auditor.push(parseRecord(line));
      expect(auditor.finish().epochsRevealed).toBe(1);
    } finally {
      await s.stop();
    }
  });

  it('restarts on the stored chain, and refuses one edited with psql, naming the seq', async () => {
    const again = await startTestService({ store: url }, dataDir);
    const head = (await again.call('GET', '/v1/head')).json.seq as number;
    await again.stop();
    const victim = 2;
    const psql = (sql: string) => execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' });
    expect(() => psql(`UPDATE records SET record = record WHERE seq = ${victim}`)).toThrow(/append-only/);
    psql('ALTER TABLE records DISABLE TRIGGER records_no_update');
    psql(`UPDATE records SET record = replace(record, '"v":1}', '"v":2}') WHERE seq = ${victim}`);
    await expect(startTestService({ store: url, 'verify-full': true }, dataDir)).rejects.toThrow(new RegExp(`record ${victim}:`));
    expect(head).toBeGreaterThan(victim);
  });

  it('an unreachable server is a clear start-up error without the password', async () => {
    const config = loadConfig({ 'data-dir': tempDir(), port: '0', 'log-level': 'silent', source: 'os', store: 'postgres://rngseal:s3cret-pw@127.0.0.1:1/rngseal' }, {});
    const err = await startService(config, () => {}).then(() => null, (e: Error) => e);
    expect(err?.message).toContain('rngseal@127.0.0.1:1/rngseal');
    expect(err?.message).toContain('ECONNREFUSED');
    expect(err?.message).not.toContain('s3cret-pw');
  });
});
