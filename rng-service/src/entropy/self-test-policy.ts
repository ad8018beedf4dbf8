/**
 * @module entropy/self-test-policy
 * What consecutive failures of the periodic SP 800-22 self-test mean for
 * play (docs/entropy.md §Periodic statistical self-test). A statistical test
 * fails a good generator at rate α by design, so one failure only triggers a
 * re-test on a fresh sample; fresh samples are independent, so k failures in
 * a row happen to a good generator with probability ≤ α^k.
 *
 *   0 failures in a row  ok       scheduled tests every interval
 *   1                    retest   warn, re-test at once; play continues
 *   2                    alarm    alarm (error log, metric), re-test at once; play continues
 *   ≥ 3                  closed   play stops (503) until a test passes on a freshly reseeded DRBG
 */

import type { SelfTestPolicyState } from '@rngseal/verifier';

export const ALARM_AFTER_FAILURES = 2;
export const CLOSE_AFTER_FAILURES = 3;

export function selfTestState(consecutiveFailures: number): SelfTestPolicyState {
  if (consecutiveFailures <= 0) return 'ok';
  if (consecutiveFailures < ALARM_AFTER_FAILURES) return 'retest';
  if (consecutiveFailures < CLOSE_AFTER_FAILURES) return 'alarm';
  return 'closed';
}

/** Retest and alarm re-test at once; ok and closed wait for the interval. */
export function retestsAtOnce(state: SelfTestPolicyState): boolean {
  return state === 'retest' || state === 'alarm';
}
