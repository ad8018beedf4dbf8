/**
 * The periodic SP 800-22 self-test of the DRBG output (docs/entropy.md):
 * records at the interval that audit, the re-test policy on a biased
 * generator (retest, alarm, play stopped, resumed after a passing run), a
 * restart that keeps the policy, samples disjoint from outcome bytes, the
 * event loop kept free, and flags validated by name.
 */

import { createCipheriv, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSource, parseSourceSpec } from '@rngseal/drivers';
import { encodeRecord, parseRecord, recordHash, signingMessage, toHex, type LogRecord } from '@rngseal/verifier';
import { ConfigError, loadConfig } from '../src/config.js';
import { HardwareEntropy } from '../src/entropy/hardware.js';
import { loadKeyFile } from '../src/signer.js';
import { SELF_TEST_TESTS } from '../src/entropy/self-test-battery.js';
import { runCli, startTestService, tempDir, type TestService } from './helper.js';

const dice = { mapping: 'dice', params: { count: 1, sides: 6 } };
const TWO_PVALUES = ['CumulativeSums', 'Serial'];

let s: TestService | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function until<T>(check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function records(service: TestService): Promise<LogRecord[]> {
  return (await service.call('GET', '/v1/export')).text.trim().split('\n').map((l) => JSON.parse(l) as LogRecord);
}

const isSelfTest = (r: LogRecord) => r.type === 'health' && r.body.source === 'drbg';
const policyOf = (r: LogRecord) => r.body.policy as { state: string; consecutiveFailures: number };

/** Waits for `atLeast` self-test records after seq `after`. */
async function selfTestRecords(service: TestService, atLeast: number, after = -1): Promise<LogRecord[]> {
  return until(async () => {
    const found = (await records(service)).filter((r) => r.seq > after && isSelfTest(r));
    return found.length >= atLeast ? found : undefined;
  });
}

async function metric(service: TestService, line: RegExp): Promise<number> {
  const m = new RegExp(line.source, 'm').exec((await service.call('GET', '/metrics')).text);
  if (!m) throw new Error(`metric ${line} not found`);
  return Number(m[1]);
}

/**
 * A fixed stream (AES-256-CTR under a fixed key): the same bytes every call,
 * so a stubbed "good" run passes every time, where fresh random bytes would
 * fail one run in a hundred by design.
 */
function good(bytes: number, key = 7): Uint8Array {
  return new Uint8Array(createCipheriv('aes-256-ctr', Buffer.alloc(32, key), Buffer.alloc(16)).update(Buffer.alloc(bytes)));
}

/** P(1) = 5/8 in every bit: Frequency fails it at 10^6 bits by 250σ. */
function biased(bytes: number): Uint8Array {
  const [a, b, c] = [good(bytes, 1), good(bytes, 2), good(bytes, 3)];
  return Uint8Array.from(a, (x, i) => x | (b[i]! & c[i]!));
}

/** The body has exactly the documented shape, and its verdict and state follow from its own numbers. */
function expectConsistentSelfTest(record: LogRecord): void {
  const body = record.body as Record<string, any>;
  expect(Object.keys(body).sort()).toEqual(['alpha', 'detail', 'pValues', 'policy', 'sample', 'source', 'status', 'test', 'threshold']);
  expect(body).toMatchObject({ source: 'drbg', test: 'SP800-22', sample: { bits: 1_000_000, sequences: 1 }, alpha: 10_000 });
  expect(Object.keys(body.pValues)).toEqual([...SELF_TEST_TESTS].sort());
  const all = Object.entries(body.pValues as Record<string, number[]>).flatMap(([test, ps]) => {
    expect(ps, test).toHaveLength(TWO_PVALUES.includes(test) ? 2 : 1);
    return ps;
  });
  for (const p of all) expect(Number.isSafeInteger(p) && p >= 0 && p <= 1_000_000, String(p)).toBe(true);
  expect(body.threshold).toBe(Math.floor(10_000 / all.length));
  expect(body.status).toBe(all.some((p) => p < body.threshold) ? 'failed' : 'passed');
  const n = body.policy.consecutiveFailures as number;
  expect(body.policy.state).toBe(['ok', 'retest', 'alarm'][n] ?? 'closed');
}

/** A sample stub that is bad while `bad` says so, and notes whether play was open at each call. */
function stubSampler(bad: (call: number) => boolean) {
  const calls: Array<{ bad: boolean; playOpen: boolean }> = [];
  const sample = (bytes: number) => {
    const isBad = bad(calls.length);
    calls.push({ bad: isBad, playOpen: s?.app.services.entropy.healthy ?? true });
    return isBad ? biased(bytes) : good(bytes);
  };
  return { sample, calls };
}

describe('self-test flags', () => {
  it('defaults to every 15 min on 10^6 bits; 0 turns it off', () => {
    const c = loadConfig({}, {});
    expect([c.selfTestMs, c.selfTestBits]).toEqual([900_000, 1_000_000]);
    expect(loadConfig({ 'self-test-ms': '0' }, {}).selfTestMs).toBe(0);
    expect(loadConfig({}, { RNGSEAL_SELF_TEST_MS: '60000', RNGSEAL_SELF_TEST_BITS: '3000000' })).toMatchObject({ selfTestMs: 60_000, selfTestBits: 3_000_000 });
  });

  it.each([
    [{ 'self-test-ms': '50' }, {}, '--self-test-ms (RNGSEAL_SELF_TEST_MS): must be 0 (off) or an integer from 100 to 86400000, got "50"'],
    [{}, { RNGSEAL_SELF_TEST_MS: '15m' }, '--self-test-ms (RNGSEAL_SELF_TEST_MS): must be 0 (off) or an integer from 100 to 86400000, got "15m"'],
    [{ 'self-test-bits': '1500000' }, {}, '--self-test-bits (RNGSEAL_SELF_TEST_BITS): must be a multiple of 1000000 from 1000000 to 100000000, got "1500000"'],
    [{ 'self-test-bits': '0' }, {}, '--self-test-bits (RNGSEAL_SELF_TEST_BITS): must be a multiple of 1000000'],
    [{}, { RNGSEAL_SELF_TEST_BITS: '101000000' }, '--self-test-bits (RNGSEAL_SELF_TEST_BITS): must be a multiple of 1000000'],
  ])('refuses %j %j naming the flag', (flags, env, message) => {
    expect(() => loadConfig(flags, env)).toThrow(ConfigError);
    expect(() => loadConfig(flags, env)).toThrow(message);
  });

  it('rngseal serve names the bad setting and does not start', async () => {
    const { code, stderr } = await runCli(['serve', '--data-dir', tempDir(), '--port', '0', '--self-test-bits', '1e6']);
    expect(code).toBe(1);
    expect(stderr).toContain('--self-test-bits (RNGSEAL_SELF_TEST_BITS): must be a multiple of 1000000');
  });
});

describe('healthy DRBG', () => {
  it('appends a passing self-test record at the interval that audits, carrying no seed or key material', async () => {
    s = await startTestService({ 'self-test-ms': '1500' });
    const epoch = (await s.call('POST', '/v1/epochs', { requestId: 'st-epoch' })).json.epoch as string;
    // A good DRBG fails a run with probability ≤ 1% and is then re-tested at once: wait for a pass.
    const runs = await until(async () => {
      const found = (await records(s!)).filter(isSelfTest);
      return found.some((r) => r.body.status === 'passed') ? found : undefined;
    });
    const boot = (await records(s)).find((r) => r.type === 'boot')!;
    expect(runs[0]!.time - boot.time).toBeGreaterThanOrEqual(1500);
    runs.forEach(expectConsistentSelfTest);
    const record = runs.find((r) => r.body.status === 'passed')!;
    expect(record.body.policy).toEqual({ state: 'ok', consecutiveFailures: 0 });
    const pValues = Object.values(record.body.pValues as Record<string, number[]>).flat();
    expect(new Set(pValues).size).toBeGreaterThan(pValues.length / 2); // real p-values, not a constant
    expect(await metric(s, /^rngseal_self_test_runs_total\{result="passed"\} (\d+)/)).toBeGreaterThanOrEqual(1);

    // Nothing secret: no hex or base64 blob, not the signing key, not the epoch's unrevealed seed.
    const text = JSON.stringify(record);
    expect(JSON.stringify(record.body)).not.toMatch(/[0-9a-f]{32}|[A-Za-z0-9+/_-]{40}/);
    const jwk = createPrivateKey(readFileSync(join(s.dataDir, 'signing-key.pem'))).export({ format: 'jwk' });
    expect(text).not.toContain(jwk.d);
    expect(text).not.toContain(toHex(Buffer.from(jwk.d!, 'base64url')));
    const seed = (await s.call('POST', `/v1/epochs/${epoch}/reveal`)).json.body.seed as string;
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(text).not.toContain(seed);

    expect((await s.call('POST', '/v1/outcome', { requestId: 'st-after', ...dice })).status).toBe(200);
    const key = (await s.call('GET', '/v1/keys')).json[0].publicKey as string;
    const audit = await runCli(['audit', '--url', s.url, '--key', key]);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    expect(audit.stdout).toMatch(/^OK chain /);
    expect(audit.stdout).toMatch(/ [1-9]\d* SP 800-22 self-test records \(0 failed\): verdicts and policy states recomputed/);

    // The key holder rewrites a self-test record to pass a p-value below the threshold, re-signing and re-linking
    // the chain after it: the audit recomputes the verdict and names the record.
    const chain = (await s.call('GET', '/v1/export')).text.trim().split('\n').map((l) => parseRecord(l));
    const at = chain.findIndex((r) => r.type === 'health' && r.body.test === 'SP800-22' && r.body.status === 'passed');
    const forged = chain[at]!.body as { pValues: Record<string, number[]>; threshold: number };
    forged.pValues.Frequency![0] = forged.threshold - 1;
    const signer = loadKeyFile(join(s.dataDir, 'signing-key.pem'));
    for (let i = at; i < chain.length; i++) {
      if (i > at) chain[i]!.prev = chain[i - 1]!.hash;
      const hash = recordHash(chain[i]!);
      chain[i]!.hash = toHex(hash);
      chain[i]!.sig = toHex(signer.sign(signingMessage(hash)));
    }
    const file = join(tempDir(), 'forged.ndjson');
    writeFileSync(file, chain.map((r) => `${encodeRecord(r)}\n`).join(''));
    const refused = await runCli(['audit', file, '--key', key]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(new RegExp(`^FAILED HEALTH: record ${chain[at]!.seq}: self-test status "passed": its p-values say failed`));
  });

  it('runs the battery off the event loop', async () => {
    const lag = monitorEventLoopDelay({ resolution: 10 });
    s = await startTestService({ 'self-test-ms': '200', 'self-test-bits': '4000000' });
    lag.enable();
    await selfTestRecords(s, 1);
    lag.disable();
    const batteryMs = 1000 * (await metric(s, /^rngseal_self_test_seconds_sum (\S+)/));
    const maxLagMs = lag.max / 1e6;
    // On the main thread the loop would stall for the whole battery.
    expect(batteryMs).toBeGreaterThan(200);
    expect(maxLagMs, `battery ${batteryMs} ms, event-loop lag ${maxLagMs} ms`).toBeLessThan(batteryMs / 2);
  });
});

describe('re-test policy on a biased generator', () => {
  it('a single failure is re-tested at once and play never stops', async () => {
    const stub = stubSampler((call) => call === 0);
    s = await startTestService({ 'self-test-ms': '3000' }, undefined, { selfTestSample: stub.sample });
    const warn = vi.spyOn(s.app.log, 'warn');
    const [failed, passed] = await selfTestRecords(s, 2);
    [failed!, passed!].forEach(expectConsistentSelfTest);
    expect(failed!.body).toMatchObject({ status: 'failed', policy: { state: 'retest', consecutiveFailures: 1 } });
    expect(failed!.body.detail).toMatch(/^Frequency.* below \d+ ppm; re-testing at once/);
    const frequency = (failed!.body.pValues as Record<string, number[]>).Frequency![0]!;
    expect(frequency).toBeLessThan(failed!.body.threshold as number);
    expect(passed!.body).toMatchObject({ status: 'passed', policy: { state: 'ok', consecutiveFailures: 0 } });
    expect(passed!.body.detail).toContain('after 1 failures in a row');
    expect(passed!.time - failed!.time).toBeLessThan(3000); // at once, not after the interval
    expect(stub.calls).toEqual([{ bad: true, playOpen: true }, { bad: false, playOpen: true }]);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ failedTests: expect.arrayContaining(['Frequency']) }), expect.stringMatching(/^SP 800-22 self-test failed: /));
    expect(await metric(s, /^rngseal_self_test_failures_total (\d+)/)).toBe(1);
    expect(await metric(s, /^rngseal_self_test_alarm (\d+)/)).toBe(0);
  });

  it('two failures raise the alarm, three stop play, a passing run after a reseed resumes it', async () => {
    let bad = true;
    const stub = stubSampler(() => bad);
    s = await startTestService({ 'self-test-ms': '4000' }, undefined, { selfTestSample: stub.sample });
    const error = vi.spyOn(s.app.log, 'error');
    const failures = await selfTestRecords(s, 3);
    failures.forEach(expectConsistentSelfTest);
    expect(failures.map((r) => [r.body.status, policyOf(r).state])).toEqual([
      ['failed', 'retest'], ['failed', 'alarm'], ['failed', 'closed'],
    ]);
    expect(failures[2]!.time - failures[0]!.time).toBeLessThan(4000); // re-tests at once, not after the interval
    expect(failures[1]!.body.detail).toContain('alarm, re-testing at once on a fresh sample, play continues');
    // Play continued through the first two failures.
    expect(stub.calls.slice(0, 3)).toEqual([{ bad: true, playOpen: true }, { bad: true, playOpen: true }, { bad: true, playOpen: true }]);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ consecutiveFailures: 2 }), expect.stringMatching(/^SP 800-22 self-test ALARM: /));
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ consecutiveFailures: 3 }), expect.stringMatching(/^SP 800-22 self-test PLAY STOPPED: /));
    expect(await metric(s, /^rngseal_self_test_failures_total (\d+)/)).toBe(3);
    expect(await metric(s, /^rngseal_self_test_alarm (\d+)/)).toBe(1);
    expect(await metric(s, /^rngseal_self_test_consecutive_failures (\d+)/)).toBe(3);

    const refused = await s.call('POST', '/v1/outcome', { requestId: 'st-closed', ...dice });
    expect(refused.status).toBe(503);
    expect(refused.json.detail).toContain('entropy source drbg: SP 800-22 self-test of the DRBG output failed 3 times in a row');
    const ready = await s.call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.entropy).toContainEqual(expect.objectContaining({ kind: 'self-test', state: 'failed' }));

    bad = false;
    const recovered = (await selfTestRecords(s, 4))[3]!;
    expectConsistentSelfTest(recovered);
    expect(recovered.time - failures[2]!.time).toBeGreaterThanOrEqual(4000); // closed: the next run waits for the interval
    expect(recovered.body).toMatchObject({ status: 'passed', policy: { state: 'ok', consecutiveFailures: 0 } });
    expect(recovered.body.detail).toContain('after 3 failures in a row; play resumes');
    expect(stub.calls[3]).toEqual({ bad: false, playOpen: false });
    expect((await s.call('POST', '/v1/outcome', { requestId: 'st-closed', ...dice })).status).toBe(200);
    expect(await metric(s, /^rngseal_self_test_alarm (\d+)/)).toBe(0);
  });

  it('a restart keeps a stopped state: the first run follows at once and counts on', async () => {
    const dataDir = tempDir();
    s = await startTestService({ 'self-test-ms': '1000' }, dataDir, { selfTestSample: stubSampler(() => true).sample });
    const epoch = (await s.call('POST', '/v1/epochs', { requestId: 'st-restart-epoch' })).json.epoch as string;
    await until(async () => (await records(s!)).some((r) => isSelfTest(r) && policyOf(r).state === 'closed') || undefined);
    // An epoch outcome is keyed by its committed seed, not a draw: it is still served, and the restart must look past it.
    const seeded = await s.call('POST', '/v1/outcomes', { requestId: 'st-restart-seeded', epoch, clientSeed: 'player-seed-42', draws: [dice] });
    expect(seeded.status).toBe(200);
    await s.stop();

    const stub = stubSampler(() => true);
    s = await startTestService({ 'self-test-ms': '60000' }, dataDir, { selfTestSample: stub.sample });
    // Restored before the service listens: refused at once, not after three new failures.
    expect((await s.call('POST', '/v1/outcome', { requestId: 'st-restart', ...dice })).status).toBe(503);
    const all = await records(s);
    const boot = all.filter((r) => r.type === 'boot').at(-1)!;
    const before = all.filter((r) => r.seq < boot.seq && isSelfTest(r)).at(-1)!;
    expect(policyOf(before).state).toBe('closed');
    expect(all.find((r) => r.type === 'outcome' && r.body.request === 'st-restart-seeded')!.seq).toBeGreaterThan(before.seq);
    const [next] = await selfTestRecords(s, 1, boot.seq);
    expect(next!.body.status).toBe('failed');
    expect(policyOf(next!)).toEqual({ state: 'closed', consecutiveFailures: policyOf(before).consecutiveFailures + 1 });
    expect(stub.calls).toHaveLength(1); // at once, though the interval is a minute
  });
});

describe('samples', () => {
  it('come from generate calls of their own: no outcome byte is ever in a sample', async () => {
    const hardware = new HardwareEntropy(parseSourceSpec('os').map((spec) => createSource(spec)));
    await hardware.start();
    try {
      const draws = [hardware.draw(32)];
      const sample = toHex(hardware.selfTestSample(125_000));
      draws.push(hardware.draw(32), hardware.draw(32));
      for (const d of draws) expect(sample).not.toContain(toHex(d));
      expect(new Set(draws.map(toHex)).size).toBe(3);
    } finally {
      await hardware.stop();
    }
  });
});
