/**
 * A self-test health record's verdict and policy state follow from its own
 * numbers (PROTOCOL.md §4 health): the auditor recomputes them.
 */

import { describe, expect, it } from 'vitest';
import { checkSelfTestBody, isSelfTestBody, VerifyError, type SelfTestBody } from '../src/index.js';

/** 14 p-values of one 10^6-bit sequence, α = 0.01: threshold ⌊10000 / 14⌋ = 714. */
function body(changes: Partial<SelfTestBody> = {}, lowest = 500_000): SelfTestBody {
  return {
    source: 'drbg', test: 'SP800-22', status: 'passed', detail: 'all p-values at or above the threshold',
    sample: { bits: 1_000_000, sequences: 1 }, alpha: 10_000, threshold: 714,
    pValues: { Frequency: [lowest], BlockFrequency: [123_456], CumulativeSums: [400_000, 410_000], Runs: [999_999],
      LongestRun: [250_000], Rank: [714], FFT: [800_000], OverlappingTemplate: [1_000_000], Universal: [300_000],
      ApproximateEntropy: [600_000], Serial: [700_000, 710_000], LinearComplexity: [0 + 900_000] },
    policy: { state: 'ok', consecutiveFailures: 0 },
    ...changes,
  };
}

const checkOf = (b: SelfTestBody): string => {
  try {
    checkSelfTestBody(b, 7);
    return 'ok';
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    expect(err.seq).toBe(7);
    return err.check;
  }
};

describe('self-test record body', () => {
  it('accepts a pass, and a failure at each policy state, as their numbers say', () => {
    expect(Object.values(body().pValues).flat()).toHaveLength(14);
    expect(checkOf(body())).toBe('ok'); // 714 itself is not below the threshold
    const failed = { status: 'failed' as const };
    expect(checkOf(body({ ...failed, policy: { state: 'retest', consecutiveFailures: 1 } }, 713))).toBe('ok');
    expect(checkOf(body({ ...failed, policy: { state: 'alarm', consecutiveFailures: 2 } }, 0))).toBe('ok');
    expect(checkOf(body({ ...failed, policy: { state: 'closed', consecutiveFailures: 5 } }, 10))).toBe('ok');
  });

  it('refuses a verdict, threshold or state its numbers contradict (HEALTH)', () => {
    expect(checkOf(body({}, 713))).toBe('HEALTH'); // a p-value below 714, called passed
    expect(checkOf(body({ status: 'failed', policy: { state: 'retest', consecutiveFailures: 1 } }))).toBe('HEALTH'); // failed with none below
    expect(checkOf(body({ threshold: 1000 }))).toBe('HEALTH');
    expect(checkOf(body({ alpha: 20_000 }))).toBe('HEALTH'); // threshold would be 1428
    expect(checkOf(body({ policy: { state: 'ok', consecutiveFailures: 1 } }))).toBe('HEALTH'); // passed but counting a failure
    expect(checkOf(body({ status: 'failed', policy: { state: 'retest', consecutiveFailures: 2 } }, 1))).toBe('HEALTH');
    expect(checkOf(body({ status: 'failed', policy: { state: 'alarm', consecutiveFailures: 3 } }, 1))).toBe('HEALTH');
  });

  it('refuses a malformed body (FORMAT)', () => {
    expect(checkOf(body({ pValues: {} }))).toBe('FORMAT');
    expect(checkOf(body({ pValues: { Frequency: [] } }))).toBe('FORMAT');
    expect(checkOf(body({ pValues: { Frequency: [1_000_001] } }))).toBe('FORMAT');
    expect(checkOf(body({ pValues: { Frequency: [0.5] } }))).toBe('FORMAT');
    expect(checkOf(body({ alpha: 0 }))).toBe('FORMAT');
    expect(checkOf(body({ policy: { state: 'ok', consecutiveFailures: -1 } }))).toBe('FORMAT');
  });

  it('tells a self-test body from a source health record', () => {
    expect(isSelfTestBody(body())).toBe(true);
    expect(isSelfTestBody({ source: 'serial:/dev/ttyACM0', status: 'failed', test: 'RCT', detail: 'x' })).toBe(false);
    expect(isSelfTestBody(null)).toBe(false);
  });
});
