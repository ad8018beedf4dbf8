/**
 * Test helpers for several `rngseal serve` processes on one PostgreSQL
 * database (127.0.0.1:5432, a database of its own per test file): each
 * instance has its own data directory (so its own chain) and all share the
 * first one's signing key and tokens.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, spawnService, tempDir, type ChildService } from './helper.js';


export interface Reply {
  status: number;
  json: any;
  text: string;
  retryAfter: string | null;
}

export { createDatabase } from './pg-admin.js';

export class Cluster {
  readonly dirs: string[];
  readonly procs: Array<ChildService | null>;
  /** Each instance's structured log (stdout), since its last start. */
  readonly logs: string[];
  token = '';

  constructor(readonly url: string, size: number, readonly leaseMs: number, readonly extraArgs: string[] = []) {
    this.dirs = Array.from({ length: size }, () => tempDir('rngseal-pg-cluster-'));
    this.procs = Array.from({ length: size }, () => null);
    this.logs = Array.from({ length: size }, () => '');
  }

  /** Starts instance i (the first start of instance 0 makes the key and tokens). */
  async start(i: number): Promise<ChildService> {
    const key = join(this.dirs[0]!, 'signing-key.pem');
    const args = ['--store', this.url, '--key', key, '--lease-ms', String(this.leaseMs), ...this.extraArgs];
    const svc = await spawnService(this.dirs[i]!, args);
    this.procs[i] = svc;
    this.logs[i] = '';
    svc.child.stdout!.on('data', (d: Buffer) => (this.logs[i] += d.toString()));
    this.token ||= readFileSync(join(this.dirs[0]!, 'game-server.token'), 'utf8').trim();
    return svc;
  }

  chainOf(i: number): string {
    return readFileSync(join(this.dirs[i]!, 'chain-id'), 'utf8').trim();
  }

  live(): number[] {
    return this.procs.flatMap((p, i) => (p ? [i] : []));
  }

  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const svc = this.procs[i]!;
    this.procs[i] = null;
    svc.child.kill(signal);
    await svc.exited;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.live().map((i) => this.kill(i, 'SIGTERM')));
  }

  url_(i: number): string {
    return this.procs[i]!.url;
  }

  post(i: number, path: string, body: unknown): Promise<Reply> {
    return send(this.url_(i), 'POST', path, this.token, body);
  }

  get(i: number, path: string): Promise<Reply> {
    return send(this.url_(i), 'GET', path, null);
  }

  /** Every record of a chain, in seq order, read through instance i. */
  async export(i: number, chain: string): Promise<any[]> {
    const r = await this.get(i, `/v1/export?chain=${chain}`);
    return r.text.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  }

  /** `rngseal audit --url` of one chain with its verifier key (the chain's origin fixed by it). */
  async audit(i: number, chain: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const keys = (await this.get(i, `/v1/keys?chain=${chain}`)).json as Array<{ vkey?: string }>;
    const vkey = keys[0]?.vkey;
    if (!vkey) throw new Error(`no vkey for chain ${chain}`);
    return runCli(['audit', '--url', this.url_(i), '--chain', chain, '--key', vkey]);
  }
}

export async function send(base: string, method: 'GET' | 'POST', path: string, token: string | null, body?: unknown): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, retryAfter: res.headers.get('retry-after') };
}

/** The boot records of a chain's export, with their writer member. */
export function boots(records: any[]): Array<{ seq: number; writer: { instance: string; lease: number; previous: string | null; reason: string } }> {
  return records.filter((r) => r.type === 'boot').map((r) => ({ seq: r.seq, writer: r.body.writer }));
}

/** Sum of one Prometheus counter scraped from an instance. */
export async function counter(c: Cluster, i: number, name: string): Promise<number> {
  const text = (await c.get(i, '/metrics')).text;
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, or fails after `ms`. */
export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | null | undefined>, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}
