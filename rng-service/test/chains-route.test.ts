/**
 * The single-instance (SQLite) side of docs/scale.md: GET /v1/chains lists
 * the one chain without a lease holder, its keys carry the verifier key,
 * boot records have no `writer` member, and the lease settings are
 * validated at start, naming the setting.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestService, type TestService } from './helper.js';

describe('chains on a single SQLite instance', () => {
  let s: TestService;
  beforeAll(async () => {
    s = await startTestService();
  });
  afterAll(async () => {
    await s.stop();
  });

  it('GET /v1/chains lists the one chain, its head, and no lease holder', async () => {
    await s.call('POST', '/v1/outcome', { requestId: 'chains-1', mapping: 'dice', params: { count: 2, sides: 6 } });
    const head = (await s.call('GET', '/v1/head')).json;
    const chains = await s.call('GET', '/v1/chains', undefined, null);
    expect(chains.status).toBe(200);
    expect(chains.json).toEqual([{ ...head, writer: null }]);
    expect(head.chain).toBe(s.chain);
  });

  it("the chain's keys carry its verifier key; its boot record has no writer member", async () => {
    const keys = (await s.call('GET', `/v1/keys?chain=${s.chain}`, undefined, null)).json;
    expect(keys[0].vkey).toMatch(new RegExp(`^rngseal/${s.chain}\\+[0-9a-f]{8}\\+`));
    const boot = JSON.parse((await s.call('GET', '/v1/records/0', undefined, null)).text);
    expect(boot.type).toBe('boot');
    expect(boot.body).not.toHaveProperty('writer');
  });
});

describe('lease settings', () => {
  it.each([
    [{ 'lease-ms': '100' }, /--lease-ms \(RNGSEAL_LEASE_MS\): must be an integer from 300 to 600000/],
    [{ 'lease-ms': '1.5s' }, /--lease-ms \(RNGSEAL_LEASE_MS\)/],
    [{ instance: 'has space' }, /--instance \(RNGSEAL_INSTANCE\): 1–64 characters/],
  ])('%j is refused, naming the setting', (flags, message) => {
    expect(() => loadConfig(flags, {})).toThrow(ConfigError);
    expect(() => loadConfig(flags, {})).toThrow(message);
  });

  it('defaults: a 10 s lease and a fresh instance id per process', () => {
    const config = loadConfig({}, {});
    expect(config.leaseMs).toBe(10_000);
    expect(config.instance).toBeNull();
    expect(loadConfig({}, { RNGSEAL_LEASE_MS: '2000', RNGSEAL_INSTANCE: 'web-1' })).toMatchObject({ leaseMs: 2000, instance: 'web-1' });
  });
});
