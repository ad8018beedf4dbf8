/**
 * The game-server API as a client sees it: idempotency, auth scopes, the
 * commit → outcomes → reveal lifecycle, public reads, and what must never
 * leak (server seeds before reveal, tokens).
 */

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainAuditor, fromHex, parseRecord, verifyRound, type LogRecord } from '@rngseal/verifier';
import { startTestService, type TestService } from './helper.js';

let s: TestService;
let publicKey: Uint8Array;
const dice = { mapping: 'dice', params: { count: 2, sides: 6 } };

beforeAll(async () => {
  s = await startTestService({ 'sweep-ms': '50' });
  publicKey = fromHex((await s.call('GET', '/v1/keys')).json[0].publicKey);
});
afterAll(() => s.stop());

async function newEpoch(requestId: string, extra: object = {}) {
  const res = await s.call('POST', '/v1/epochs', { requestId, ...extra });
  expect(res.status, res.text).toBe(200);
  return res.json as { epoch: string; commitment: string; record: LogRecord };
}

describe('boot', () => {
  it('seq 0 is a boot record with the public key, software and config digests', async () => {
    const boot = (await s.call('GET', '/v1/records/0')).json as LogRecord;
    expect(boot.type).toBe('boot');
    expect(boot.body.publicKey).toBe((await s.call('GET', '/v1/keys')).json[0].publicKey);
    expect((boot.body.software as { digest: string }).digest).toMatch(/^[0-9a-f]{64}$/);
    expect(boot.body.config).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(boot.body.sources)).toContain('"kind":"os"');
  });

  it('the key and token files are mode 0600', () => {
    for (const f of ['signing-key.pem', 'game-server.token', 'admin.token']) {
      expect(statSync(join(s.dataDir, f)).mode & 0o777, f).toBe(0o600);
    }
  });
});

describe('idempotency', () => {
  it('a retry with the same requestId and body returns the identical record', async () => {
    const a = await s.call('POST', '/v1/outcome', { requestId: 'idem-1', ...dice });
    const b = await s.call('POST', '/v1/outcome', { requestId: 'idem-1', ...dice });
    expect(a.status).toBe(200);
    expect(b.json).toEqual(a.json);
  });

  it('concurrent retries draw once', async () => {
    const head = (await s.call('GET', '/v1/head')).json.seq;
    const answers = await Promise.all(Array.from({ length: 20 }, () => s.call('POST', '/v1/outcomes', { requestId: 'idem-2', draws: [dice, dice] })));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect((await s.call('GET', '/v1/head')).json.seq).toBe(head + 1);
  });

  it('the same requestId with another body is a 409 naming requestId, and changes nothing', async () => {
    const first = await s.call('POST', '/v1/outcome', { requestId: 'idem-3', ...dice });
    const res = await s.call('POST', '/v1/outcome', { requestId: 'idem-3', mapping: 'dice', params: { count: 3, sides: 6 } });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json.field).toBe('requestId');
    expect((await s.call('GET', '/v1/rounds/idem-3')).json.outcome).toEqual(first.json.record);
  });
});

describe('auth', () => {
  it('401 without or with a bad token, with a WWW-Authenticate challenge', async () => {
    for (const token of [null, 'nope', `rsk_${'A'.repeat(43)}`]) {
      const res = await s.call('POST', '/v1/outcome', { requestId: 'auth-1', ...dice }, token);
      expect(res.status, String(token)).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
  });

  it('the scheme name is case-insensitive and may be followed by several spaces (RFC 9110 §11)', async () => {
    for (const header of [`bearer ${s.token}`, `BEARER  ${s.token}`]) {
      const res = await s.app.inject({ method: 'GET', url: '/v1/tokens', headers: { authorization: header } });
      expect(res.statusCode, header.slice(0, 8)).toBe(403);
    }
  });

  it('403 when the token lacks the scope, both ways', async () => {
    expect((await s.call('POST', '/v1/outcome', { requestId: 'auth-2', ...dice }, s.adminToken)).status).toBe(403);
    expect((await s.call('GET', '/v1/tokens', undefined, s.token)).status).toBe(403);
  });

  it('admin creates and revokes tokens; a revoked token is refused; listings never show tokens', async () => {
    const created = await s.call('POST', '/v1/tokens', { scopes: ['outcomes'], label: 'table 7' }, s.adminToken);
    expect(created.status).toBe(200);
    const { token, info } = created.json;
    expect(token).toMatch(/^rsk_/);
    const list = await s.call('GET', '/v1/tokens', undefined, s.adminToken);
    expect(list.text).not.toContain(token);
    expect(list.text).not.toContain(s.token);
    expect((await s.call('DELETE', `/v1/tokens/${info.id}`, undefined, s.adminToken)).status).toBe(200);
    expect((await s.call('POST', '/v1/outcome', { requestId: 'auth-3', ...dice }, token)).status).toBe(401);
  });

  it('tokens are stored hashed', () => {
    const db = Buffer.concat([readFileSync(join(s.dataDir, 'rngseal.db')), readFileSync(join(s.dataDir, 'rngseal.db-wal'))]);
    expect(db.includes(Buffer.from(s.token))).toBe(false);
    expect(db.includes(Buffer.from(createHash('sha256').update(s.token).digest('hex')))).toBe(true);
  });
});

describe('seeded epochs', () => {
  it('commit → outcomes with consecutive nonces → reveal that matches the commitment', async () => {
    const e = await newEpoch('ep-1');
    expect(e.record.type).toBe('commit');
    expect(e.record.body.commitment).toBe(e.commitment);
    const o1 = await s.call('POST', '/v1/outcomes', { requestId: 'ep-1-a', epoch: e.epoch, clientSeed: 'lucky-player-7', draws: [dice, dice] });
    const o2 = await s.call('POST', '/v1/outcome', { requestId: 'ep-1-b', epoch: e.epoch, clientSeed: 'lucky-player-7', ...dice });
    expect(o1.json.record.body.draws.map((d: { nonce: number }) => d.nonce)).toEqual([0, 1]);
    expect(o2.json.record.body.draws[0].nonce).toBe(2);

    const pending = (await s.call('GET', '/v1/rounds/ep-1-a')).json;
    expect(pending.reveal).toBeNull();
    expect(verifyRound(pending, [publicKey]).status).toBe('pending');

    const reveal = await s.call('POST', `/v1/epochs/${e.epoch}/reveal`);
    expect(reveal.status).toBe(200);
    const seed = reveal.json.body.seed as string;
    expect(createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex')).toBe(e.commitment);
    expect(reveal.json.body.nonces).toBe(3);
    expect(verifyRound((await s.call('GET', '/v1/rounds/ep-1-a')).json, [publicKey]).status).toBe('verified');

    const again = await s.call('POST', `/v1/epochs/${e.epoch}/reveal`);
    expect(again.json).toEqual(reveal.json);
    const late = await s.call('POST', '/v1/outcome', { requestId: 'ep-1-c', epoch: e.epoch, clientSeed: 'lucky-player-7', ...dice });
    expect(late.status).toBe(409);
    expect(late.json.field).toBe('epoch');
  });

  it('the server seed appears nowhere before its reveal: not in answers, exports, metrics or the database file', async () => {
    const e = await newEpoch('ep-secret');
    await s.call('POST', '/v1/outcome', { requestId: 'ep-secret-a', epoch: e.epoch, clientSeed: 'secret-test-seed', ...dice });
    const seen = [
      (await s.call('GET', `/v1/epochs/${e.epoch}`)).text,
      (await s.call('GET', '/v1/export')).text,
      (await s.call('GET', '/metrics')).text,
      (await s.call('GET', '/v1/rounds/ep-secret-a')).text,
    ].join('\n');
    const reveal = await s.call('POST', `/v1/epochs/${e.epoch}/reveal`);
    const seed = reveal.json.body.seed as string;
    expect(seen).not.toContain(seed);
    const db = readFileSync(join(s.dataDir, 'rngseal.db'));
    const wal = readFileSync(join(s.dataDir, 'rngseal.db-wal'));
    for (const file of [db, wal]) {
      expect(file.includes(Buffer.from(seed, 'hex'))).toBe(false);
      // Only the reveal record itself may carry the hex seed.
      expect(file.toString('latin1').split(seed).length - 1).toBeLessThanOrEqual(1);
    }
  });

  it('refuses missing and trivial client seeds, naming clientSeed', async () => {
    const e = await newEpoch('ep-2');
    for (const clientSeed of [undefined, '', 'short', 'aaaaaaaaaaaa', 'abababababab']) {
      const res = await s.call('POST', '/v1/outcome', { requestId: `ep-2-${clientSeed}`, epoch: e.epoch, ...(clientSeed === undefined ? {} : { clientSeed }), ...dice });
      expect(res.status, String(clientSeed)).toBe(400);
      expect(res.json.field).toBe('clientSeed');
    }
  });

  it('rotate reveals the old epoch and commits the next in consecutive records; a retry returns the same', async () => {
    const e = await newEpoch('ep-3');
    const rot = await s.call('POST', `/v1/epochs/${e.epoch}/rotate`, { requestId: 'ep-3-rot' });
    expect(rot.status, rot.text).toBe(200);
    expect(rot.json.revealed.body.epoch).toBe(e.epoch);
    expect(rot.json.revealed.body.reason).toBe('rotation');
    expect(rot.json.record.seq).toBe(rot.json.revealed.seq + 1);
    expect(rot.json.record.body.previous).toBe(e.epoch);
    const retry = await s.call('POST', `/v1/epochs/${e.epoch}/rotate`, { requestId: 'ep-3-rot' });
    expect(retry.json).toEqual(rot.json);
  });

  it('an expired epoch refuses outcomes and is revealed by the sweeper', async () => {
    const e = await newEpoch('ep-4', { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 1300));
    const res = await s.call('POST', '/v1/outcome', { requestId: 'ep-4-a', epoch: e.epoch, clientSeed: 'too-late-seed', ...dice });
    expect(res.status).toBe(409);
    const state = (await s.call('GET', `/v1/epochs/${e.epoch}`)).json;
    expect(state.reveal?.body.reason).toBe('expiry');
  });

  it('unknown epochs are 404', async () => {
    const res = await s.call('POST', '/v1/outcome', { requestId: 'ep-5', epoch: 'f'.repeat(32), clientSeed: 'whatever-seed', ...dice });
    expect(res.status).toBe(404);
  });
});

describe('public reads', () => {
  it('the NDJSON export is canonical and audits end to end', async () => {
    const res = await s.call('GET', '/v1/export');
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const auditor = new ChainAuditor({ keys: [publicKey] });
    const lines = res.text.trim().split('\n');
    for (const line of lines) auditor.push(parseRecord(line));
    const report = auditor.finish();
    expect(report.records).toBe(lines.length);
    expect(report.lastSeq).toBe((await s.call('GET', '/v1/head')).json.seq);
  });

  it('an export range returns exactly that range', async () => {
    const lines = (await s.call('GET', '/v1/export?from=2&to=4')).text.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([2, 3, 4]);
  });

  it('records are served as their stored bytes', async () => {
    const text = (await s.call('GET', '/v1/records/1')).text;
    expect(parseRecord(text).seq).toBe(1);
  });

  it('readiness, metrics and OpenAPI', async () => {
    expect((await s.call('GET', '/readyz')).json.ready).toBe(true);
    const metrics = (await s.call('GET', '/metrics')).text;
    expect(metrics).toMatch(/rngseal_outcomes_total \d+/);
    expect(metrics).toContain('rngseal_store_batch_records_bucket');
    const openapi = (await s.call('GET', '/docs/json')).json;
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining([
      '/v1/outcomes', '/v1/epochs', '/v1/export', '/v1/checkpoint', '/v1/proof/inclusion', '/v1/proof/consistency', '/v1/receipts/{requestId}',
    ]));
  });
});
