/**
 * Test helpers: a real service (SQLite in a temp dir, os entropy, generated
 * key) started in-process on an ephemeral port, or as a child process for
 * crash tests.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { startService, type Overrides, type RunningService } from '../src/service.js';

export const BIN = fileURLToPath(new URL('../bin/rngseal.js', import.meta.url));

export interface TestService extends RunningService {
  dataDir: string;
  token: string;
  adminToken: string;
  /** inject() with the game-server token. */
  call(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, token?: string | null): Promise<{ status: number; json: any; text: string; headers: Record<string, unknown> }>;
}

export function tempDir(prefix = 'rngseal-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestService(flags: Record<string, string | boolean> = {}, dataDir = tempDir(), overrides: Overrides = {}): Promise<TestService> {
  const config = loadConfig({ 'data-dir': dataDir, port: '0', 'log-level': 'silent', source: 'os', ...flags }, {});
  const service = await startService(config, () => {}, overrides);
  const token = readFileSync(join(dataDir, 'game-server.token'), 'utf8').trim();
  const adminToken = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const call: TestService['call'] = async (method, url, payload, auth = token) => {
    const res = await service.app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: auth === null ? {} : { authorization: `Bearer ${auth}` },
    });
    let json: unknown;
    try {
      json = res.json();
    } catch {
      json = undefined;
    }
    return { status: res.statusCode, json, text: res.body, headers: res.headers };
  };
  return { ...service, dataDir, token, adminToken, call };
}

export interface ChildService {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `rngseal serve` as a child process and waits until it listens. */
export async function spawnService(dataDir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ChildService> {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0', '--log-level', 'warn', '--source', 'os', ...extraArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /serving chain \S+ at (http:\/\/[^ ]+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`rngseal serve exited ${code}: ${err}`)));
  });
  return { child, url, stderr: () => err, exited };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
