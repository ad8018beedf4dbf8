/**
 * @module self-test-record
 * The body rules of a self-test `health` record (docs/PROTOCOL.md §4
 * health): its verdict and policy state follow from its own numbers, so an
 * auditor recomputes them instead of taking the service's word.
 */

import type { SelfTestBody, SelfTestPolicyState } from './bodies.js';
import { VerifyError } from './errors.js';

const SCALE = 1_000_000;
const STATES: readonly SelfTestPolicyState[] = ['ok', 'retest', 'alarm', 'closed'];

/** True for the body of the periodic SP 800-22 self-test of the DRBG output. */
export function isSelfTestBody(body: unknown): body is SelfTestBody {
  const b = body as Partial<SelfTestBody> | null;
  return b?.source === 'drbg' && b.test === 'SP800-22';
}

/**
 * Checks that `status` is "failed" exactly when some p-value is below
 * `threshold` = ⌊alpha / m⌋ (m p-values in all), and that the policy state
 * follows from the failure count.
 * @throws VerifyError FORMAT for a malformed body, HEALTH for a verdict or state its numbers contradict
 */
export function checkSelfTestBody(body: SelfTestBody, seq: number): void {
  const format = (why: string): never => {
    throw new VerifyError('FORMAT', `self-test: ${why}`, seq);
  };
  const isFraction = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= SCALE;
  if (!isFraction(body.alpha) || body.alpha === 0) format('alpha: expected an integer in 1…10^6');
  const lists = typeof body.pValues === 'object' && body.pValues !== null ? Object.values(body.pValues) : [];
  if (lists.length === 0 || !lists.every((l) => Array.isArray(l) && l.length > 0 && l.every(isFraction))) {
    format('pValues: expected lists of integers in 0…10^6, by test');
  }
  const pValues = lists.flat();
  const threshold = Math.floor(body.alpha / pValues.length);
  if (body.threshold !== threshold) throw new VerifyError('HEALTH', `self-test threshold ${body.threshold} is not ⌊${body.alpha} / ${pValues.length}⌋ = ${threshold}`, seq);
  const status = pValues.some((p) => p < threshold) ? 'failed' : 'passed';
  if (body.status !== status) throw new VerifyError('HEALTH', `self-test status ${JSON.stringify(body.status)}: its p-values say ${status}`, seq);
  const failures = body.policy?.consecutiveFailures;
  if (!Number.isSafeInteger(failures) || failures < 0) format('policy.consecutiveFailures: expected a count');
  if ((status === 'failed') !== (failures > 0)) throw new VerifyError('HEALTH', `self-test ${status} with ${failures} failures in a row`, seq);
  const state = STATES[Math.min(failures, STATES.length - 1)];
  if (body.policy.state !== state) throw new VerifyError('HEALTH', `self-test policy ${JSON.stringify(body.policy.state)} after ${failures} failures in a row: expected ${state}`, seq);
}
