/**
 * Faults fail closed: while the entropy source is unplugged or the store
 * refuses writes, draws are answered 503 problem+json (never 500), no record
 * and no seq is used, /readyz says not ready — and service resumes by itself.
 */

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EventedSource, SourceError } from '@rngseal/drivers';
import type { Config } from '../src/config.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { StoreUnavailableError, type AppendBatch } from '../src/store/log-store.js';
import { startTestService, type TestService } from './helper.js';

/** A device that can be unplugged: it says so at once, as the hardware drivers do. */
class UnpluggableSource extends EventedSource {
  readonly identity = { kind: 'test', path: 'bench-socket-3', description: 'fault-injecting test source' };
  readonly sampleBits = 8 as const;
  readonly minEntropy = 8;
  unplugged = false;
  async open(): Promise<void> {
    if (this.unplugged) throw new SourceError('OPEN', 'test:bench-socket-3', 'no such device');
  }
  async read(max: number): Promise<Uint8Array> {
    if (this.unplugged) throw new SourceError('DISCONNECTED', 'test:bench-socket-3', 'device unplugged');
    return new Uint8Array(randomBytes(Math.min(max, 4096)));
  }
  async close(): Promise<void> {}
  unplug(): void {
    this.unplugged = true;
    this.announceDisconnect(new SourceError('DISCONNECTED', 'test:bench-socket-3', 'device unplugged'));
  }
}

class RefusingStore extends SqliteStore {
  refusing = false;
  override async append(batch: AppendBatch): Promise<void> {
    if (this.refusing) throw new StoreUnavailableError('disk I/O error (injected)');
    return super.append(batch);
  }
}

const dice = { mapping: 'dice', params: { count: 1, sides: 6 } };
let s: TestService | undefined;
afterEach(async () => s?.stop());

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('entropy source unplugged', () => {
  it('refuses draws with 503 naming the source, logs a health record, uses no seq, and resumes when it returns', async () => {
    const source = new UnpluggableSource();
    s = await startTestService({}, undefined, { sources: [source], entropy: { maxBackoffMs: 50 } });
    expect((await s.call('POST', '/v1/outcome', { requestId: 'f-0', ...dice })).status).toBe(200);
    source.unplug();
    await until(async () => (await s!.call('GET', '/readyz')).status === 503);
    const answer = await s.call('POST', '/v1/outcome', { requestId: 'f-1', ...dice });
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.json.detail).toContain('test:bench-socket-3');
    expect((await s.call('POST', '/v1/epochs', { requestId: 'f-epoch' })).status).toBe(503);

    // The failure is in the log, signed, while play is stopped.
    const head = (await s.call('GET', '/v1/head')).json.seq;
    const last = (await s.call('GET', `/v1/records/${head}`)).json;
    expect(last.type).toBe('health');
    expect(last.body).toMatchObject({ source: 'test:bench-socket-3', status: 'failed', test: 'DISCONNECT' });
    expect((await s.call('GET', '/metrics')).text).toMatch(/rngseal_health_failures_total\{source="test:bench-socket-3",test="DISCONNECT"\} 1/);

    source.unplugged = false;
    await until(async () => (await s!.call('GET', '/readyz')).status === 200);
    const retry = await s.call('POST', '/v1/outcome', { requestId: 'f-retry', ...dice });
    expect(retry.status).toBe(200);
    const records = (await s.call('GET', `/v1/export?from=${head + 1}`)).text.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.type)).toEqual(['health', 'outcome']);
    expect(records[0].body).toMatchObject({ status: 'recovered' });
  });
});

describe('store refusing writes', () => {
  it('answers 503 with Retry-After, appends nothing, and the same requestId succeeds afterwards', async () => {
    let store: RefusingStore | undefined;
    s = await startTestService({}, undefined, { store: (c: Config) => (store = new RefusingStore(c.store)) });
    const head = (await s.call('GET', '/v1/head')).json.seq;
    store!.refusing = true;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => s!.call('POST', '/v1/outcome', { requestId: `st-${i}`, ...dice })));
    for (const a of answers) {
      expect(a.status).toBe(503);
      expect(a.headers['retry-after']).toBe('1');
      expect(a.json.title).toBe('Store unavailable');
    }
    store!.refusing = false;
    const retried = await Promise.all(Array.from({ length: 10 }, (_, i) => s!.call('POST', '/v1/outcome', { requestId: `st-${i}`, ...dice })));
    const seqs = retried.map((a) => a.json.record.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => head + 1 + i));
  });
});
