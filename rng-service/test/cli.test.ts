/**
 * The rngseal CLI as an operator and a player use it: keygen, key file
 * permissions, config errors, verify and audit verdicts and exit codes.
 */

import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startTestService, tempDir, type TestService } from './helper.js';

describe('rngseal CLI', () => {
  it('--help lists the commands', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const c of ['serve', 'keygen', 'verify', 'audit', 'token']) expect(stdout).toContain(c);
  });

  it('keygen writes a 0600 PEM key and refuses to overwrite it', async () => {
    const out = join(tempDir(), 'k.pem');
    const first = await runCli(['keygen', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/public key [0-9a-f]{64}/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toContain('BEGIN PRIVATE KEY');
    const second = await runCli(['keygen', '--out', out]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already exists');
  });

  it('serve refuses a key file others can read, without printing the key', async () => {
    const dir = tempDir();
    const key = join(dir, 'signing-key.pem');
    await runCli(['keygen', '--out', key]);
    chmodSync(key, 0o644);
    const { code, stderr } = await runCli(['serve', '--data-dir', dir, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('mode 0644');
    expect(stderr).toContain('chmod 600');
    const pem = readFileSync(key, 'utf8').split('\n')[1]!;
    expect(stderr).not.toContain(pem);
  });

  it('serve names a bad setting', async () => {
    const { code, stderr } = await runCli(['serve', '--data-dir', tempDir(), '--port', 'eighty']);
    expect(code).toBe(1);
    expect(stderr).toContain('--port (RNGSEAL_PORT): must be an integer from 0 to 65535');
  });

  it('devices lists this machine\'s kernel hwrng with a ready source spec', async () => {
    const { code, stdout } = await runCli(['devices', '--json']);
    expect(code).toBe(0);
    const { devices } = JSON.parse(stdout);
    expect(devices).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'hwrng', path: '/dev/hwrng', spec: expect.stringMatching(/^hwrng/) })]));
  });

  it('token create, list and revoke on the data directory\'s SQLite store, and the token then authenticates', async () => {
    const dir = tempDir();
    const s = await startTestService({}, dir);
    await s.stop();
    const created = await runCli(['token', 'create', '--scope', 'outcomes', '--label', 'cli-made', '--data-dir', dir]);
    expect(created.code, created.stderr).toBe(0);
    const [id, token] = created.stdout.trim().split('\n').map((l) => l.split(' ')[0]!);
    expect((await runCli(['token', 'list', '--data-dir', dir])).stdout).toMatch(new RegExp(`^${id}\toutcomes\tactive\tcli-made$`, 'm'));
    const again = await startTestService({}, dir);
    try {
      const dice = { requestId: 'cli-token', mapping: 'dice', params: { count: 1, sides: 6 } };
      expect((await again.call('POST', '/v1/outcome', dice, token!)).status).toBe(200);
    } finally {
      await again.stop();
    }
    expect((await runCli(['token', 'revoke', id!, '--data-dir', dir])).stdout).toBe(`revoked ${id}\n`);
    expect((await runCli(['token', 'list', '--data-dir', dir])).stdout).toMatch(new RegExp(`^${id}\toutcomes\trevoked`, 'm'));
  });

  it('an unknown flag is a usage error', async () => {
    const { code, stderr } = await runCli(['serve', '--colour']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: rngseal serve');
  });
});

describe('rngseal verify and audit', () => {
  let s: TestService;
  let key: string;
  let dir: string;

  beforeAll(async () => {
    s = await startTestService();
    dir = tempDir();
    key = (await s.call('GET', '/v1/keys')).json[0].publicKey;
    const e = (await s.call('POST', '/v1/epochs', { requestId: 'cli-e' })).json;
    await s.call('POST', '/v1/outcome', { requestId: 'cli-1', epoch: e.epoch, clientSeed: 'cli-player-seed', mapping: 'shuffle', params: { n: 52 } });
    writeFileSync(join(dir, 'pending.json'), (await s.call('GET', '/v1/rounds/cli-1')).text);
    await s.call('POST', `/v1/epochs/${e.epoch}/reveal`);
    writeFileSync(join(dir, 'round.json'), (await s.call('GET', '/v1/rounds/cli-1')).text);
    await s.call('POST', '/v1/outcome', { requestId: 'cli-2', mapping: 'range', params: { min: 1, max: 100 } });
    writeFileSync(join(dir, 'direct.json'), (await s.call('GET', '/v1/rounds/cli-2')).text);
    writeFileSync(join(dir, 'export.ndjson'), (await s.call('GET', '/v1/export')).text);
  });
  afterAll(() => s.stop());

  it('a revealed round verifies (exit 0), a pending one says so (exit 3)', async () => {
    const ok = await runCli(['verify', join(dir, 'round.json'), '--key', key]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('VERIFIED');
    expect((await runCli(['verify', join(dir, 'direct.json'), '--key', key])).code).toBe(0);
    const pending = await runCli(['verify', join(dir, 'pending.json'), '--key', key]);
    expect(pending.code).toBe(3);
    expect(pending.stdout).toContain('PENDING');
  });

  it('a changed result fails with the check and seq named (exit 1)', async () => {
    const round = JSON.parse(readFileSync(join(dir, 'round.json'), 'utf8'));
    const draw = round.outcome.body.draws[0];
    [draw.result[0], draw.result[1]] = [draw.result[1], draw.result[0]];
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(round));
    const bad = await runCli(['verify', join(dir, 'bad.json'), '--key', key]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`FAILED HASH: record ${round.outcome.seq}`);
  });

  it('the wrong key fails, and verify insists on a key', async () => {
    const other = await runCli(['verify', join(dir, 'round.json'), '--key', 'ab'.repeat(32)]);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('FAILED KEY');
    expect((await runCli(['verify', join(dir, 'round.json')])).code).toBe(2);
  });

  it('audit passes the export and a live service, and fails a reordered export naming the seq', async () => {
    const ok = await runCli(['audit', join(dir, 'export.ndjson'), '--key', key]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^OK chain/);
    const live = await runCli(['audit', '--url', s.url, '--key', key]);
    expect(live.code, live.stdout + live.stderr).toBe(0);
    const lines = readFileSync(join(dir, 'export.ndjson'), 'utf8').trim().split('\n');
    [lines[2], lines[3]] = [lines[3]!, lines[2]!];
    writeFileSync(join(dir, 'swapped.ndjson'), lines.join('\n'));
    const bad = await runCli(['audit', join(dir, 'swapped.ndjson'), '--key', key]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAILED SEQ: record 3');
  });
});
