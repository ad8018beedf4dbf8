/**
 * Start-up against a PostgreSQL that refuses or cannot be reached (a private
 * cluster demanding scram-sha-256 over TCP: the shared one trusts
 * 127.0.0.1). `rngseal serve` runs as a child process; each failure is a
 * start-up error naming user, host, port and database and what failed, and
 * the password — wrong or right — appears nowhere in its output, nor in the
 * log it writes once it does start (with the password in the URL, or in
 * PGPASSWORD as docker-compose.yml passes it).
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, spawnService, tempDir } from './helper.js';
import { freePort, PgCluster } from './pg-cluster.js';

const password = `S3cret-${randomBytes(6).toString('hex')}`;
const wrong = `wr0ng-${randomBytes(6).toString('hex')}`;
let cluster: PgCluster;

beforeAll(async () => {
  cluster = await PgCluster.create({ hostAuth: 'scram-sha-256' });
  cluster.psql(`CREATE ROLE app LOGIN PASSWORD '${password}'`);
  cluster.psql('CREATE DATABASE rngseal OWNER app');
});
afterAll(() => cluster?.destroy());

/** `rngseal serve` until it exits (stopped at once if it does start); its exit code and everything it printed. */
function serveOnce(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', tempDir(), '--port', '0', '--source', 'os', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
      if (output.includes('serving chain')) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('PostgreSQL start-up errors', () => {
  it('a wrong password: names user, host, port, database and the refusal, and shows neither password', async () => {
    const where = `app@127.0.0.1:${cluster.port}/rngseal`;
    for (const run of [
      () => serveOnce(['--store', cluster.url('rngseal', 'app', wrong)]),
      () => serveOnce([], { RNGSEAL_STORE: cluster.url('rngseal', 'app', wrong) }),
    ]) {
      const { code, output } = await run();
      expect(code, output).toBe(1);
      expect(output).toContain(`rngseal: postgres ${where}: 28P01 password authentication failed for user "app"`);
      expect(output).not.toContain(wrong);
      expect(output).not.toContain(password);
    }
  });

  it('an unreachable port, an unknown host, a missing database: each named, without the password', async () => {
    const deadPort = await freePort();
    const cases = [
      [cluster.url('rngseal', 'app', password).replace(`:${cluster.port}/`, `:${deadPort}/`), `app@127.0.0.1:${deadPort}/rngseal: ECONNREFUSED`],
      [`postgres://app:${encodeURIComponent(password)}@no-such-host.invalid:5432/rngseal`, 'app@no-such-host.invalid:5432/rngseal: ENOTFOUND'],
      [cluster.url('nope', 'app', password), `app@127.0.0.1:${cluster.port}/nope: 3D000 database "nope" does not exist`],
    ] as const;
    for (const [store, message] of cases) {
      const { code, output } = await serveOnce(['--store', store]);
      expect(code, output).toBe(1);
      expect(output).toContain(message);
      expect(output).not.toContain(password);
    }
  });

  it('the right password, in the URL or in PGPASSWORD: migrate and serve work, and it is in no output, log line or record', async () => {
    const store = cluster.url('rngseal', 'app', password);
    const migrated = await runCli(['migrate', '--store', store]);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`migrated postgres store postgres://app:***@127.0.0.1:${cluster.port}/rngseal`);
    const dataDir = tempDir();
    // As docker-compose.yml runs it: the password in PGPASSWORD, not in the URL.
    const svc = await spawnService(dataDir, ['--store', cluster.url('rngseal', 'app'), '--log-level', 'info'], { PGPASSWORD: password });
    let stdout = '';
    svc.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const token = readFileSync(join(dataDir, 'game-server.token'), 'utf8').trim();
    const drawn = await fetch(`${svc.url}/v1/outcome`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'with-password', mapping: 'dice', params: { count: 1, sides: 6 } }),
    });
    expect(drawn.status).toBe(200);
    const exported = await (await fetch(`${svc.url}/v1/export`)).text();
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expect(stdout).toContain('"statusCode":200'); // the request log is there, and checked
    for (const text of [migrated.stdout, migrated.stderr, stdout, svc.stderr(), exported]) expect(text).not.toContain(password);
  });
});
