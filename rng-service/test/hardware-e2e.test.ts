/**
 * End to end through a real pseudo-terminal: the simulated device is served
 * on a pty by socat and read by the service through the real serialport
 * binding (`serial:…?driver=truerng`). Each fault stops outcomes within the
 * health tests' window, appends a signed health record and answers 503;
 * play resumes only after a healthy device is back and start-up tests pass.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aptCutoff, rctCutoff, SimPty, SimSource, type SimOptions } from '@rngseal/drivers';
import { startTestService, type TestService } from './helper.js';

const H = 7.5; // the truerng driver's claim
let s: TestService | undefined;
let ptys: SimPty[] = [];
afterEach(async () => {
  await s?.stop();
  s = undefined;
  for (const p of ptys) await p.close();
  ptys = [];
});

async function serve(dir: string, options: SimOptions): Promise<SimPty> {
  const pty = await SimPty.start({ sim: new SimSource({ rate: 400_000, ...options }), dir, name: 'ttyRNG' });
  ptys.push(pty);
  return pty;
}

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const dice = { mapping: 'dice', params: { count: 1, sides: 6 } };

describe.each([
  ['stuck', { fault: 'stuck', value: 0x5a }, ['RCT']],
  ['bias', { fault: 'bias', p: 0.6 }, ['APT', 'RCT']],
  ['repeat', { fault: 'repeat', block: 8 }, ['APT', 'RCT']],
  ['stall', { fault: 'stall' }, ['STALL']],
  // The simulator feeds the pty at its own pace, so the unplug comes after a time (~1 s), not after consumption.
  ['unplug', { fault: 'disconnect', at: 400_000 }, ['DISCONNECT']],
] as const)('fault: %s', (name, fault, tests) => {
  it('stops within the test window, logs a health record, answers 503, and recovers on a healthy device', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rngseal-pty-'));
    const faulty = await serve(dir, { seed: `e2e-${name}`, at: 20_000, ...fault } as SimOptions);
    const healthRecords = async () =>
      (await s!.call('GET', '/v1/export')).text.trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'health');
    // Reseeding on every draw makes each outcome consume a fresh conditioned block, so the fault is reached quickly.
    s = await startTestService({ source: `serial:${faulty.path}?driver=truerng`, 'reseed-count': '1' }, undefined, {
      entropy: { maxBackoffMs: 100, stallMs: 500 },
    });
    expect((await s.call('GET', '/readyz')).json.entropy[0]).toMatchObject({ kind: 'serial', state: 'healthy' });

    let status = 200;
    for (let i = 0; status === 200 && i < 5000; i++) {
      status = (await s.call('POST', '/v1/outcome', { requestId: `${name}-${i}`, ...dice })).status;
      if (status === 503) break;
      if (status !== 200) throw new Error(`unexpected status ${status}`);
    }
    expect(status).toBe(503);
    // A stall is known only after stallMs without data; the others are in the log already.
    await until(async () => (await healthRecords()).length > 0, 3000);
    const health = await healthRecords();
    const failure = health[0].body;
    expect(failure.status).toBe('failed');
    expect(tests).toContain(failure.test);
    if (failure.test === 'RCT') expect(failure.detail).toContain(`reached the cutoff ${rctCutoff(H)}`);
    if (failure.test === 'APT') expect(failure.detail).toContain(`reached the cutoff ${aptCutoff(H, 512)}`);
    expect((await s.call('GET', '/readyz')).status).toBe(503);

    // The device comes back healthy (a replug, or a repaired device on the same port).
    await faulty.close();
    ptys = [];
    await serve(dir, { seed: `e2e-${name}-healthy` });
    await until(async () => (await s!.call('GET', '/readyz')).status === 200);
    expect((await s.call('POST', '/v1/outcome', { requestId: `${name}-after`, ...dice })).status).toBe(200);
    const after = (await s.call('GET', '/v1/export')).text.trim().split('\n').map((l) => JSON.parse(l));
    expect(after.filter((r) => r.type === 'health').at(-1).body.status).toBe('recovered');
  });
});
