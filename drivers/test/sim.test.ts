/**
 * @module test/sim
 * SimSource: a deterministic stream independent of read sizes, each fault's
 * observable effect on the bytes (and on the SP 800-90B health tests that
 * must catch it), rate limiting, stall, and unplug/reappear.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AdaptiveProportionTest, RepetitionCountTest, SimSource, SourceError, type SimOptions } from '../src/index.js';

async function take(source: SimSource, n: number, chunk = 997): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n; ) {
    const bytes = await source.read(Math.min(chunk, n - got));
    out.set(bytes, got);
    got += bytes.length;
  }
  return out;
}

async function opened(options: SimOptions): Promise<SimSource> {
  const source = new SimSource(options);
  await source.open();
  return source;
}

describe('SimSource stream', () => {
  it('is deterministic per seed and independent of read sizes', async () => {
    const a = await take(await opened({ seed: 1 }), 5000, 4096);
    const b = await take(await opened({ seed: 1 }), 5000, 13);
    const c = await take(await opened({ seed: 2 }), 5000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new SimSource({ seed: 1 }).bytesAt(0, 5000)).toEqual(a);
    expect(new Set(a).size).toBe(256);
  });

  it('says it is not random', () => {
    const source = new SimSource({ seed: 3, fault: 'stuck' });
    expect(source.identity).toMatchObject({ kind: 'sim', path: 'seed=3,fault=stuck,at=4096,value=0' });
    expect(source.identity.description).toMatch(/NOT random/);
  });

  it('limits the rate with a token bucket', async () => {
    const source = await opened({ seed: 1, rate: 20_000 });
    const start = performance.now();
    await take(source, 2000, 4096);
    const ms = performance.now() - start;
    expect(ms).toBeGreaterThan(80); // 2000 B at 20 kB/s = 100 ms
    expect(ms).toBeLessThan(1000);
  });

  it('rejects impossible options with CONFIG', () => {
    expect(() => new SimSource({ fault: 'melt' as never })).toThrow(/fault: unknown 'melt'/);
    expect(() => new SimSource({ fault: 'repeat', at: 8, block: 16 })).toThrow(/block \(16\) must not exceed at/);
    expect(() => new SimSource({ p: 2 })).toThrow(/probability/);
    expect(() => new SimSource({ minEntropy: 0 })).toThrow(/outside/);
  });
});

describe('SimSource faults', () => {
  it('stuck: every byte from the offset is the stuck value; the RCT fails right after', async () => {
    const bytes = await take(await opened({ seed: 1, fault: 'stuck', at: 3000, value: 0xa5 }), 6000);
    expect(new Set(bytes.subarray(3000))).toEqual(new Set([0xa5]));
    expect(new Set(bytes.subarray(0, 3000)).size).toBeGreaterThan(200);
    const failure = new RepetitionCountTest({ sampleBits: 8, H: 8 }).feed(bytes);
    expect(failure).toMatchObject({ test: 'RCT', value: 0xa5 });
    expect(failure!.sampleIndex).toBeGreaterThanOrEqual(3000);
    expect(failure!.sampleIndex).toBeLessThan(3010);
  });

  it('bias: from the offset about p of the bytes are 0x00; the APT fails after it', async () => {
    const bytes = await take(await opened({ seed: 1, fault: 'bias', at: 4096, p: 0.5 }), 4096 + 8192);
    const zeros = (b: Uint8Array) => b.filter((x) => x === 0).length / b.length;
    expect(zeros(bytes.subarray(0, 4096))).toBeLessThan(0.02);
    expect(zeros(bytes.subarray(4096))).toBeGreaterThan(0.45);
    expect(zeros(bytes.subarray(4096))).toBeLessThan(0.55);
    const failure = new AdaptiveProportionTest({ sampleBits: 8, H: 8 }).feed(bytes);
    expect(failure).toMatchObject({ test: 'APT' });
    expect(failure!.sampleIndex).toBeGreaterThanOrEqual(4096);
  });

  it('repeat: the block before the offset repeats forever; the APT fails', async () => {
    const at = 1000;
    const block = 16;
    const bytes = await take(await opened({ seed: 1, fault: 'repeat', at, block }), 4000);
    for (let i = at; i < bytes.length; i++) expect(bytes[i]).toBe(bytes[at - block + ((i - at) % block)]);
    expect(new AdaptiveProportionTest({ sampleBits: 8, H: 8 }).feed(bytes)).toMatchObject({ test: 'APT' });
  });

  it('stall: nothing after the offset; close() rejects the waiting read', async () => {
    const source = await opened({ seed: 1, fault: 'stall', at: 100 });
    expect(await take(source, 100, 64)).toHaveLength(100);
    let settled = false;
    const pending = source.read(10).finally(() => (settled = true));
    const assertion = expect(pending).rejects.toMatchObject({ fault: 'READ', message: expect.stringContaining('closed') });
    await sleep(100);
    expect(settled).toBe(false);
    await source.close();
    await assertion;
  });

  it('disconnect: unplugs after N bytes, refuses open() until it reappears, then resumes', async () => {
    const source = await opened({ seed: 1, fault: 'disconnect', at: 500, reappear: 150 });
    const events: SourceError[] = [];
    source.on('disconnect', (e) => events.push(e));
    expect(await take(source, 500, 64)).toEqual(source.bytesAt(0, 500));
    await expect(source.read(10)).rejects.toMatchObject({ name: 'SourceError', fault: 'DISCONNECTED', device: expect.stringMatching(/^sim:/) });
    expect(events).toHaveLength(1);
    await expect(source.read(10)).rejects.toMatchObject({ fault: 'DISCONNECTED' });
    await expect(source.open()).rejects.toMatchObject({ fault: 'OPEN', message: expect.stringContaining('absent') });
    await sleep(170);
    await source.open();
    expect(await take(source, 300)).toEqual(source.bytesAt(500, 300));
    expect(events).toHaveLength(1); // it unplugs once
  });

  it('disconnect without reappear stays gone', async () => {
    const source = await opened({ seed: 1, fault: 'disconnect', at: 10 });
    await take(source, 10);
    await expect(source.read(1)).rejects.toMatchObject({ fault: 'DISCONNECTED' });
    await sleep(20);
    await expect(source.open()).rejects.toMatchObject({ fault: 'OPEN' });
  });
});
