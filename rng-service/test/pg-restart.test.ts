/**
 * PostgreSQL restarted under load (a private cluster: the shared one serves
 * other test files). `rngseal serve` runs as a child process while game
 * servers retry each request id until it is answered; the server is
 * restarted (pg_ctl restart -m fast), then stopped hard (-m immediate),
 * left down, and started again. Every answer must be 200 or a 503
 * problem+json, never a 500 or a broken connection; /readyz is false while
 * the database is down; the service resumes by itself; and every
 * acknowledged outcome is in the log afterwards, byte for byte, once, in a
 * chain that audits.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecord, type OutcomeBody } from '@rngseal/verifier';
import { runCli, spawnService, tempDir, type ChildService } from './helper.js';
import { PgCluster } from './pg-cluster.js';

type Phase = 'before' | 'restarting' | 'after-restart' | 'stopping' | 'down' | 'starting' | 'after-start';

let cluster: PgCluster;
let svc: ChildService;
let stdout = '';

beforeAll(async () => {
  cluster = await PgCluster.create();
  cluster.psql('CREATE DATABASE rngseal');
  const migrated = await runCli(['migrate', '--store', cluster.url('rngseal')]);
  if (migrated.code !== 0) throw new Error(migrated.stderr);
});
afterAll(async () => {
  if (svc && svc.child.exitCode === null) {
    svc.child.kill('SIGTERM');
    await svc.exited;
  }
  await cluster?.destroy();
});

/** Outcome requests from `workers` game servers, each retrying a request id on 503 until it is answered. */
class Load {
  phase: Phase = 'before';
  readonly answered = new Map<Phase, number>();
  readonly unavailable = new Map<Phase, number>();
  /** Request id → the record text of its 200 answer. */
  readonly acknowledged = new Map<string, string>();
  readonly failures: string[] = [];
  #running = true;
  readonly #done: Promise<void[]>;

  constructor(private readonly base: string, private readonly token: string, private readonly epoch: string, workers: number) {
    this.#done = Promise.all(Array.from({ length: workers }, (_, w) => this.#worker(w)));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  async until(phase: Phase, answers: number, ms = 20_000): Promise<void> {
    for (const deadline = Date.now() + ms; (this.answered.get(phase) ?? 0) < answers; await sleep(20)) {
      if (Date.now() > deadline) throw new Error(`only ${this.answered.get(phase) ?? 0} answers in phase ${phase}; failures: ${this.failures.slice(0, 3).join('; ')}`);
    }
  }

  async #worker(w: number): Promise<void> {
    for (let n = 0; this.#running; n++) {
      const requestId = `w${w}-${n}`;
      const draw = w % 2 === 0
        ? { requestId, mapping: 'dice', params: { count: 2, sides: 6 } }
        : { requestId, epoch: this.epoch, clientSeed: `restart-player-${w}`, mapping: 'range', params: { min: 1, max: 1000 } };
      if (!(await this.#untilAnswered(requestId, draw))) return;
    }
  }

  /** false after a failure (recorded). */
  async #untilAnswered(requestId: string, draw: object): Promise<boolean> {
    for (;;) {
      let status: number;
      let type: string | null;
      let text: string;
      try {
        const res = await fetch(`${this.base}/v1/outcome`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(draw),
          signal: AbortSignal.timeout(15_000),
        });
        [status, type, text] = [res.status, res.headers.get('content-type'), await res.text()];
      } catch (err) {
        this.failures.push(`${requestId} in ${this.phase}: ${(err as Error).message}`);
        return false;
      }
      const phase = this.phase;
      if (status === 200) {
        this.acknowledged.set(requestId, recordTextOf(text));
        this.answered.set(phase, (this.answered.get(phase) ?? 0) + 1);
        return true;
      }
      if (status !== 503 || !type?.startsWith('application/problem+json') || JSON.parse(text).status !== 503) {
        this.failures.push(`${requestId} in ${phase}: HTTP ${status} ${type} ${text}`);
        return false;
      }
      this.unavailable.set(phase, (this.unavailable.get(phase) ?? 0) + 1);
      await sleep(25);
    }
  }
}

/** The record as the service sent it: `{"record":TEXT,"results":[…]}`. */
function recordTextOf(body: string): string {
  if (!body.startsWith('{"record":')) throw new Error(`not an outcome answer: ${body}`);
  return body.slice('{"record":'.length, body.lastIndexOf(',"results":'));
}

async function readyz(base: string): Promise<{ status: number; ready: boolean }> {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, ready: ((await res.json()) as { ready: boolean }).ready };
}

describe('PostgreSQL restarted under load', () => {
  it('answers 200 or 503 problem+json throughout, is not ready while down, resumes by itself, and loses no acknowledged outcome', async () => {
    const dataDir = tempDir();
    svc = await spawnService(dataDir, ['--store', cluster.url('rngseal'), '--checkpoint-ms', '200']);
    svc.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString())); // drained, so the service never blocks on its log
    const token = readFileSync(join(dataDir, 'game-server.token'), 'utf8').trim();
    const post = (path: string, body?: object) =>
      fetch(`${svc.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : null });
    const epoch = ((await (await post('/v1/epochs', { requestId: 'restart-epoch' })).json()) as { epoch: string }).epoch;

    const load = new Load(svc.url, token, epoch, 8);
    await load.until('before', 50);

    load.phase = 'restarting';
    await cluster.restart('fast');
    load.phase = 'after-restart';
    await load.until('after-restart', 50);

    load.phase = 'stopping';
    await cluster.stop('immediate');
    load.phase = 'down';
    const whileDown = await readyz(svc.url);
    await sleep(1000);
    const stillDown = await readyz(svc.url);
    const direct = await fetch(`${svc.url}/v1/outcome`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ requestId: 'while-down', mapping: 'dice', params: { count: 1, sides: 6 } }),
    });

    load.phase = 'starting';
    await cluster.start();
    load.phase = 'after-start';
    await load.until('after-start', 50);
    const afterStart = await readyz(svc.url);
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(svc.child.exitCode).toBeNull();
    expect(whileDown).toEqual({ status: 503, ready: false });
    expect(stillDown).toEqual({ status: 503, ready: false });
    expect(direct.status).toBe(503);
    expect(direct.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(direct.headers.get('retry-after')).toBe('1');
    expect(load.answered.get('down') ?? 0).toBe(0);
    expect(load.unavailable.get('down') ?? 0).toBeGreaterThan(0);
    expect(afterStart).toEqual({ status: 200, ready: true });

    // Every acknowledged outcome is stored, byte for byte, and each request id drew once.
    expect((await post('/v1/epochs/' + epoch + '/reveal')).status).toBe(200);
    const lines = (await (await fetch(`${svc.url}/v1/export`)).text()).trim().split('\n');
    const draws = new Map<string, number>();
    for (const line of lines) {
      const record = parseRecord(line);
      if (record.type === 'outcome') {
        const id = (record.body as unknown as OutcomeBody).request;
        draws.set(id, (draws.get(id) ?? 0) + 1);
      }
    }
    expect(load.acknowledged.size).toBeGreaterThanOrEqual(150);
    for (const [requestId, text] of load.acknowledged) {
      expect(lines[parseRecord(text).seq], requestId).toBe(text);
      expect(draws.get(requestId), requestId).toBe(1);
    }
    const vkey = ((await (await fetch(`${svc.url}/v1/keys`)).json()) as Array<{ vkey: string }>)[0]!.vkey;
    const audit = await runCli(['audit', '--url', svc.url, '--key', vkey]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^OK chain .*\n.*epochs revealed and matched/);
  }, 120_000);
});
