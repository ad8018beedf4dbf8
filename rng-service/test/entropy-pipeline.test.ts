/**
 * The entropy pipeline on the simulated device: start-up tests before any
 * output, each fault stops it within the health tests' window (counted in
 * samples), nothing is drawn while a source is unhealthy, and it recovers
 * only through fresh start-up tests.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { aptCutoff, rctCutoff, SimSource, type SimOptions } from '@rngseal/drivers';
import type { ChannelFailure } from '../src/entropy/channel.js';
import { EntropyUnavailableError } from '../src/entropy/entropy.js';
import { HardwareEntropy } from '../src/entropy/hardware.js';

let pipeline: HardwareEntropy | undefined;
afterEach(async () => pipeline?.stop());

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function faulty(options: SimOptions): { pipeline: HardwareEntropy; failures: ChannelFailure[] } {
  pipeline = new HardwareEntropy([new SimSource({ seed: 7, ...options })], { maxBackoffMs: 100, stallMs: 300 });
  const failures: ChannelFailure[] = [];
  pipeline.on('failure', (f) => failures.push(f));
  return { pipeline, failures };
}

describe('healthy simulated source', () => {
  it('passes start-up tests, seeds the DRBG, and draws', async () => {
    pipeline = new HardwareEntropy([new SimSource({ seed: 1 })]);
    expect(pipeline.healthy).toBe(false);
    expect(() => pipeline!.draw(32)).toThrow(EntropyUnavailableError);
    await pipeline.start();
    const a = pipeline.draw(32);
    const b = pipeline.draw(32);
    expect(a.length).toBe(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(pipeline.sources()).toEqual([expect.objectContaining({ kind: 'sim', state: 'healthy' })]);
    expect(pipeline.channels[0]!.samplesTested).toBeGreaterThan(0);
  });

  it('mixes several sources: the seed needs a block from each', async () => {
    pipeline = new HardwareEntropy([new SimSource({ seed: 1 }), new SimSource({ seed: 2 })]);
    await pipeline.start();
    pipeline.reseed();
    expect(pipeline.draw(16).length).toBe(16);
    expect(pipeline.sources()).toHaveLength(2);
  });
});

describe('faults fail closed within the health-test window', () => {
  const H = 8;
  const at = 20_000;

  it('stuck byte: RCT fails within its cutoff of the first stuck sample', async () => {
    const { pipeline: p, failures } = faulty({ fault: 'stuck', at, value: 0x41 });
    await p.start();
    drainUntilFailure(p);
    await until(() => failures.length > 0);
    const f = failures[0]!;
    expect(f.test).toBe('RCT');
    // Sample indexes count from the start-up test, which began at stream offset 0.
    expect(f.sampleIndex! - at).toBeGreaterThan(0);
    expect(f.sampleIndex! - at).toBeLessThanOrEqual(rctCutoff(H));
    expect(() => p.draw(32)).toThrow(/sim:.*RCT/);
  });

  it('bias towards 0x00: APT fails within two windows of the fault', async () => {
    const { pipeline: p, failures } = faulty({ fault: 'bias', at, p: 0.5 });
    await p.start();
    drainUntilFailure(p);
    await until(() => failures.length > 0);
    const f = failures[0]!;
    expect(['APT', 'RCT']).toContain(f.test);
    expect(f.sampleIndex! - at).toBeLessThanOrEqual(2 * 512);
    expect(aptCutoff(H, 512)).toBeLessThan(512 * 0.5);
  });

  it('repeating block: caught within two APT windows', async () => {
    const { pipeline: p, failures } = faulty({ fault: 'repeat', at, block: 16 });
    await p.start();
    drainUntilFailure(p);
    await until(() => failures.length > 0);
    expect(failures[0]!.sampleIndex! - at).toBeLessThanOrEqual(2 * 512);
  });

  it('stall: no data for the stall time is a failure', async () => {
    const { pipeline: p, failures } = faulty({ fault: 'stall', at });
    await p.start();
    drainUntilFailure(p);
    await until(() => failures.length > 0);
    expect(failures[0]!.test).toBe('STALL');
  });

  it('unplug and replug: refuses while away, then start-up tests again before output', async () => {
    const { pipeline: p, failures } = faulty({ fault: 'disconnect', at, reappear: 300 });
    await p.start();
    drainUntilFailure(p);
    await until(() => failures.length > 0);
    expect(failures[0]!.test).toBe('DISCONNECT');
    expect(() => p.draw(32)).toThrow(EntropyUnavailableError);
    await until(() => p.healthy, 5000);
    expect(p.draw(32).length).toBe(32);
  });
});

/** Takes conditioned blocks (reseeds) until the channel has read past the fault or failed. */
function drainUntilFailure(p: HardwareEntropy): void {
  const timer = setInterval(() => {
    try {
      p.reseed();
    } catch {
      // not ready or already failed: keep polling until the test's condition is met
    }
  }, 1);
  setTimeout(() => clearInterval(timer), 4000);
}
