/**
 * @module test/health-rct-apt
 * The streaming SP 800-90B §4.4 Repetition Count and Adaptive Proportion
 * Tests and §4.3 start-up testing: exact failure positions on constructed
 * data, chunking invariance, latching, and no false alarms on good data.
 */

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveProportionTest,
  HealthMonitor,
  RepetitionCountTest,
  rctCutoff,
  startupByteCount,
  startupTest,
} from '../src/health/index.js';

/** Bytes 0, 1, 2, … 255, 0, 1, …: no value repeats within 256 samples. */
function distinct(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i & 0xff);
}

/** Feeds `data` in pseudo-random chunk sizes and returns the first failure. */
function feedChunked(test: { feed(s: Uint8Array): unknown }, data: Uint8Array, seed = 1): unknown {
  let state = seed;
  for (let at = 0; at < data.length; ) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const size = 1 + (state % 97);
    const failure = test.feed(data.subarray(at, at + size));
    if (failure) return failure;
    at += size;
  }
  return null;
}

describe('RepetitionCountTest', () => {
  it('fails stuck 8-bit data at exactly sample index C', () => {
    for (const H of [8, 4, 2, 0.5]) {
      const rct = new RepetitionCountTest({ sampleBits: 8, H });
      const C = rctCutoff(H);
      expect(rct.cutoff).toBe(C);
      const failure = rct.feed(new Uint8Array(200).fill(0x5a));
      expect(failure, `H = ${H}`).toEqual({ test: 'RCT', sampleIndex: C, value: 0x5a, observed: C, cutoff: C });
    }
  });

  it('passes a run of C − 1 and restarts the run on a new value', () => {
    const rct = new RepetitionCountTest({ sampleBits: 8, H: 8 }); // C = 4
    expect(rct.feed(Uint8Array.of(7, 7, 7, 9, 9, 9, 7, 7, 7))).toBeNull();
    expect(rct.feed(Uint8Array.of(7))).toMatchObject({ sampleIndex: 10, value: 7 });
  });

  it('carries a run across chunks: index is the same fed byte by byte', () => {
    const data = Uint8Array.of(...distinct(1000), ...new Uint8Array(30).fill(3));
    const whole = new RepetitionCountTest({ sampleBits: 8, H: 2 }).feed(data);
    expect(whole).toMatchObject({ sampleIndex: 1000 + 11 });
    expect(feedChunked(new RepetitionCountTest({ sampleBits: 8, H: 2 }), data)).toEqual(whole);
    const oneByOne = new RepetitionCountTest({ sampleBits: 8, H: 2 });
    let failure = null;
    for (let i = 0; i < data.length && !failure; i++) failure = oneByOne.feed(data.subarray(i, i + 1));
    expect(failure).toEqual(whole);
  });

  it('reads 1-bit samples most significant bit first', () => {
    const rct = new RepetitionCountTest({ sampleBits: 1, H: 1 }); // C = 21
    // Sample 1 is the 1 in 0x80; samples 2… are zeros, so the 21st zero is sample 22.
    const failure = rct.feed(Uint8Array.of(0x80, 0, 0, 0, 0));
    expect(failure).toEqual({ test: 'RCT', sampleIndex: 22, value: 0, observed: 21, cutoff: 21 });
    // All ones from sample 1: fails at 21, inside the third byte.
    expect(new RepetitionCountTest({ sampleBits: 1, H: 1 }).feed(new Uint8Array(4).fill(0xff))).toMatchObject({
      sampleIndex: 21,
      value: 1,
    });
  });

  it('latches a failure until reset()', () => {
    const rct = new RepetitionCountTest({ sampleBits: 8, H: 8 });
    const failure = rct.feed(new Uint8Array(10));
    expect(rct.feed(distinct(100))).toBe(failure);
    expect(rct.samplesProcessed).toBe(4);
    rct.reset();
    expect(rct.failure).toBeNull();
    expect(rct.feed(distinct(100))).toBeNull();
  });

  it('rejects bad parameters and non-byte input, naming the argument', () => {
    expect(() => new RepetitionCountTest({ sampleBits: 8, H: 9 })).toThrow(/^H:/);
    expect(() => new RepetitionCountTest({ sampleBits: 4 as 8, H: 1 })).toThrow(/^sampleBits:/);
    expect(() => new RepetitionCountTest({ sampleBits: 8, H: 8, alpha: 2 })).toThrow(/^alpha:/);
    expect(() => new RepetitionCountTest({ sampleBits: 8, H: 8 }).feed([1, 2] as never)).toThrow(TypeError);
  });
});

describe('AdaptiveProportionTest', () => {
  it('fails when the window reference reaches C, at that sample', () => {
    const apt = new AdaptiveProportionTest({ sampleBits: 8, H: 8 }); // W = 512, C = 13
    expect([apt.window, apt.cutoff]).toEqual([512, 13]);
    // Reference 7 at sample 1, then 7 at every 4th sample: the 13th 7 is sample 1 + 4·12 = 49.
    const data = distinct(512).map((v, i) => (i % 4 === 0 ? 7 : v | 0x80));
    expect(apt.feed(data)).toEqual({ test: 'APT', sampleIndex: 49, value: 7, observed: 13, cutoff: 13 });
  });

  it('restarts the count at each window boundary', () => {
    const W = 512;
    // Window 1: reference 5 and 11 more 5s (B = 12 < 13) at its very end.
    const window1 = distinct(W).map((v) => v | 0x80);
    window1[0] = 5;
    window1.fill(5, W - 11);
    // Window 2: the same pattern again; B would reach 24 if windows ran together.
    const data = Uint8Array.of(...window1, ...window1);
    expect(new AdaptiveProportionTest({ sampleBits: 8, H: 8 }).feed(data)).toBeNull();
    // One more 5 early in window 2: B reaches 13 on the window's last sample.
    data[W + 1] = 5;
    expect(new AdaptiveProportionTest({ sampleBits: 8, H: 8 }).feed(data)).toMatchObject({ sampleIndex: 2 * W });
  });

  it('gives the same failure whatever the chunking', () => {
    const data = distinct(3000).map((v) => v | 0x80);
    for (let i = 1536; i < 1536 + 13 * 3; i += 3) data[i] = 1; // window 4's reference and 12 more
    const whole = new AdaptiveProportionTest({ sampleBits: 8, H: 8 }).feed(data);
    expect(whole).toMatchObject({ sampleIndex: 1536 + 12 * 3 + 1, value: 1 });
    expect(feedChunked(new AdaptiveProportionTest({ sampleBits: 8, H: 8 }), data, 7)).toEqual(whole);
  });

  it('fails a biased 1-bit source within one window', () => {
    // P(1) = 3/4 while H = 1 claims 1/2: B ≈ 768 ≫ C = 589 by the window's end.
    const a = randomBytes(1024 / 8);
    const b = randomBytes(1024 / 8);
    const biased = a.map((x, i) => ~(x & b[i]!) & 0xff);
    biased[0]! |= 0x80; // the window's reference is the over-represented 1
    const failure = new AdaptiveProportionTest({ sampleBits: 1, H: 1 }).feed(biased);
    expect(failure).toMatchObject({ test: 'APT', value: 1, observed: 589, cutoff: 589 });
    expect(failure!.sampleIndex).toBeLessThanOrEqual(1024);
  });

  it('fails a biased 8-bit source within one window', () => {
    // One sample in 8 is 0x42 (p ≈ 1/8 ≫ 2^-8 claimed): B ≈ 64 ≫ C = 13.
    const data = randomBytes(512).map((x, i) => (i % 8 === 0 ? 0x42 : x));
    const failure = new AdaptiveProportionTest({ sampleBits: 8, H: 8 }).feed(data);
    expect(failure).toMatchObject({ test: 'APT', value: 0x42 });
    expect(failure!.sampleIndex).toBeLessThanOrEqual(512);
  });
});

describe('HealthMonitor', () => {
  it('never fails on 10 MB of node:crypto output (8-bit) nor 4 MB (1-bit)', () => {
    // α = 2^-40 here: at α = 2^-20 and H = 8 the RCT cutoff is 4, and four
    // equal bytes in a row turn up about once per 2^24 samples of perfect
    // data, so 10 MB would false-alarm about half the time, as the standard
    // intends (α is per sample). At 2^-40 a false alarm in this test has
    // probability ≈ 1e-4.
    const bytes = new HealthMonitor({ sampleBits: 8, H: 8, alpha: 2 ** -40 });
    const bits = new HealthMonitor({ sampleBits: 1, H: 1, alpha: 2 ** -40 });
    for (let i = 0; i < 10; i++) {
      const chunk = randomBytes(1 << 20);
      expect(bytes.feed(chunk), `8-bit MB ${i}`).toBeNull();
      if (i < 4) expect(bits.feed(chunk), `1-bit MB ${i}`).toBeNull();
    }
    expect(bytes.samplesProcessed).toBe(10 << 20);
    expect(bits.samplesProcessed).toBe(32 << 20);
  });

  it('reports the earlier of two failures in one chunk', () => {
    const m = new HealthMonitor({ sampleBits: 8, H: 8 });
    expect(m.feed(new Uint8Array(600))).toMatchObject({ test: 'RCT', sampleIndex: 4 });
    expect(m.failure).toMatchObject({ test: 'RCT' });
  });
});

describe('startupTest (§4.3)', () => {
  const good = { sampleBits: 8 as const, H: 8, alpha: 2 ** -40 };

  it('passes 1024 good samples and hands over a running monitor', () => {
    const result = startupTest(randomBytes(1024), good);
    expect(result).toMatchObject({ passed: true, failure: null, samplesTested: 1024 });
    expect(result.monitor.feed(new Uint8Array(8).fill(1))).toMatchObject({ test: 'RCT', sampleIndex: 1024 + 6 });
  });

  it('fails a stuck source and says where', () => {
    const result = startupTest(new Uint8Array(1024), { sampleBits: 8, H: 8 });
    expect(result.passed).toBe(false);
    expect(result.failure).toMatchObject({ test: 'RCT', sampleIndex: 4 });
  });

  it('needs at least 1024 samples: one full APT window for 1-bit samples', () => {
    expect(startupByteCount(8)).toBe(1024);
    expect(startupByteCount(1)).toBe(128);
    expect(startupTest(randomBytes(128), { sampleBits: 1, H: 1, alpha: 2 ** -40 })).toMatchObject({
      passed: true,
      samplesTested: 1024,
    });
    expect(() => startupTest(randomBytes(1023), good)).toThrow(/^samples: start-up testing needs ≥ 1024 samples/);
    expect(() => startupTest(randomBytes(127), { sampleBits: 1, H: 1 })).toThrow(RangeError);
  });
});
