/**
 * @module entropy/self-test
 * The periodic SP 800-22 self-test of the DRBG that serves outcomes
 * (docs/entropy.md §Periodic statistical self-test). Every intervalMs it
 * takes a fresh sample from that DRBG through generate calls of its own
 * (never bytes an outcome uses), runs the subset of self-test-battery.ts on a
 * worker thread, appends a signed `health` record with the p-values and the
 * policy state, and follows the re-test policy of self-test-policy.ts: a
 * failure is re-tested at once on a fresh sample, two in a row raise the
 * alarm, three stop play until a run on a freshly reseeded DRBG passes.
 *
 * Runs never overlap: the next one is scheduled when one ends. A stopped
 * state survives a restart: it is read back from the log (restore).
 */

import type { FastifyBaseLogger } from 'fastify';
import type { Body, LogRecord, SelfTestBody } from '@rngseal/verifier';
import type { Sequencer } from '../engine/sequencer.js';
import type { Metrics } from '../metrics.js';
import type { LogStore } from '../store/log-store.js';
import { EntropyUnavailableError } from './entropy.js';
import { runSelfTestBattery, type SelfTestVerdict } from './self-test-battery.js';
import { SELF_TESTED_OUTPUT, type SelfTestGate } from './self-test-gate.js';
import { ALARM_AFTER_FAILURES, retestsAtOnce, selfTestState } from './self-test-policy.js';

/** Where samples come from: the outcome DRBG (HardwareEntropy), or a stub in tests. */
export interface SelfTestSampler {
  /** Fresh DRBG output that nothing else uses. @throws EntropyUnavailableError */
  sample(bytes: number): Uint8Array;
  /** Reseeds the DRBG from fresh source entropy. @throws EntropyUnavailableError */
  reseed(): void;
}

export interface SelfTestDeps {
  sampler: SelfTestSampler;
  sequencer: Sequencer;
  gate: SelfTestGate;
  metrics: Metrics;
}

export interface SelfTestOptions {
  intervalMs: number;
  /** Sample size, a whole number of 10^6-bit sequences. */
  bits: number;
}

export type SelfTestRun = 'passed' | 'failed' | 'skipped' | 'error';

const RESTORE_PAGE = 256;
const RESTORE_RECORDS = 16 * RESTORE_PAGE;

export class SelfTest {
  log: FastifyBaseLogger | null = null;
  #failures = 0;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #stopped = true;
  #testAtStart = false;

  constructor(
    private readonly deps: SelfTestDeps,
    private readonly options: SelfTestOptions,
  ) {}

  /**
   * Picks up the failure count of the newest self-test record, so a restart
   * does not clear a stopped state. Unknown (not within the newest
   * RESTORE_RECORDS records): the first run follows at once.
   */
  async restore(store: LogStore, chain: string): Promise<void> {
    const failures = await newestFailureCount(store, chain);
    if (failures === undefined) this.#testAtStart = true;
    else this.#setFailures(failures);
  }

  /** Schedules runs: the first after the interval, or at once when a re-test is due. */
  start(): void {
    this.#stopped = false;
    this.#schedule(this.#failures > 0 || this.#testAtStart ? 0 : this.options.intervalMs);
  }

  /** Cancels the next run and waits for one under way (its record is not appended). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.run().then((result) => {
        this.#running = null;
        const now = (result === 'passed' || result === 'failed') && retestsAtOnce(selfTestState(this.#failures));
        this.#schedule(now ? 0 : this.options.intervalMs);
      });
    }, delayMs);
  }

  /** One run; resolves after its record is appended. Never rejects. */
  async run(): Promise<SelfTestRun> {
    let sample: Uint8Array;
    try {
      if (this.deps.gate.closed) this.deps.sampler.reseed(); // play resumes only on a fresh DRBG state
      sample = this.deps.sampler.sample(this.options.bits / 8);
    } catch (err) {
      if (!(err instanceof EntropyUnavailableError)) return this.#error(err);
      // A source is down (play is stopped by that) or no fresh block is ready for the reseed: try after the interval.
      this.deps.metrics.selfTestRuns.inc({ result: 'skipped' });
      this.log?.info({ reason: err.message }, 'SP 800-22 self-test skipped: entropy unavailable');
      return 'skipped';
    }
    const started = performance.now();
    let verdict: SelfTestVerdict;
    try {
      verdict = await runSelfTestBattery(sample);
    } catch (err) {
      return this.#error(err);
    } finally {
      sample.fill(0);
    }
    if (this.#stopped) return 'skipped';
    await this.#conclude(verdict, performance.now() - started);
    return verdict.passed ? 'passed' : 'failed';
  }

  async #conclude(verdict: SelfTestVerdict, ms: number): Promise<void> {
    const { metrics } = this.deps;
    const before = this.#failures;
    this.#setFailures(verdict.passed ? 0 : before + 1);
    metrics.selfTestRuns.inc({ result: verdict.passed ? 'passed' : 'failed' });
    if (!verdict.passed) metrics.selfTestFailures.inc();
    metrics.selfTestSeconds.observe(ms / 1000);
    const detail = describe(verdict, before, this.#failures);
    this.#logRun(verdict, before, detail, ms);
    const body = this.#body(verdict, detail);
    try {
      await this.deps.sequencer.submit(() => ({ type: 'health', body }));
    } catch (err) {
      this.log?.error({ err }, 'self-test record not appended');
      return;
    }
    // Play resumes only once the passing record is durable, so it precedes any outcome that follows.
    if (verdict.passed) this.deps.gate.open();
  }

  #setFailures(n: number): void {
    this.#failures = n;
    this.deps.metrics.selfTestConsecutiveFailures.set(n);
    this.deps.metrics.selfTestAlarm.set(n >= ALARM_AFTER_FAILURES ? 1 : 0);
    if (selfTestState(n) === 'closed') {
      this.deps.gate.close(`SP 800-22 self-test of the DRBG output failed ${n} times in a row; play resumes when a run on a freshly reseeded DRBG passes`);
    }
  }

  #body(verdict: SelfTestVerdict, detail: string): Body {
    const body = {
      source: SELF_TESTED_OUTPUT,
      test: 'SP800-22',
      status: verdict.passed ? 'passed' : 'failed',
      detail,
      sample: { bits: verdict.bits, sequences: verdict.sequences },
      alpha: verdict.alpha,
      threshold: verdict.threshold,
      pValues: verdict.pValues,
      policy: { state: selfTestState(this.#failures), consecutiveFailures: this.#failures },
    } satisfies SelfTestBody;
    return body;
  }

  #logRun(verdict: SelfTestVerdict, before: number, detail: string, ms: number): void {
    const fields = { failedTests: verdict.failedTests, threshold: verdict.threshold, consecutiveFailures: this.#failures, ms: Math.round(ms) };
    const state = selfTestState(this.#failures);
    if (state === 'ok') this.log?.info(fields, before > 0 ? `SP 800-22 self-test passed again: ${detail}` : 'SP 800-22 self-test passed');
    else if (state === 'retest') this.log?.warn(fields, `SP 800-22 self-test failed: ${detail}`);
    else this.log?.error(fields, `SP 800-22 self-test ${state === 'alarm' ? 'ALARM' : 'PLAY STOPPED'}: ${detail}`);
  }

  #error(err: unknown): SelfTestRun {
    this.deps.metrics.selfTestRuns.inc({ result: 'error' });
    this.log?.error({ err }, 'SP 800-22 self-test could not run');
    return 'error';
  }
}

function describe(verdict: SelfTestVerdict, before: number, after: number): string {
  const count = Object.values(verdict.pValues).reduce((n, ps) => n + ps.length, 0);
  if (verdict.passed) {
    const all = `all ${count} p-values ≥ ${verdict.threshold} ppm`;
    if (before === 0) return all;
    return `${all} after ${before} failures in a row${selfTestState(before) === 'closed' ? '; play resumes' : ''}`;
  }
  const failed = `${verdict.failedTests.join(', ')} below ${verdict.threshold} ppm`;
  switch (selfTestState(after)) {
    case 'retest':
      return `${failed}; re-testing at once on a fresh sample`;
    case 'alarm':
      return `${failed}; ${after} failures in a row: alarm, re-testing at once on a fresh sample, play continues`;
    default:
      return `${failed}; ${after} failures in a row: play stopped until a run on a freshly reseeded DRBG passes`;
  }
}

/**
 * The failure count of the newest self-test record, read back from the head.
 * A stopped state draws nothing, so a direct outcome or a commit met first
 * means play was open: 0. Epoch outcomes (keyed by committed seeds), reveals,
 * checkpoints, boots and source health records say nothing and are passed.
 */
async function newestFailureCount(store: LogStore, chain: string): Promise<number | undefined> {
  const head = await store.head(chain);
  const last = head?.seq ?? -1;
  for (let to = last; to >= 0; to -= RESTORE_PAGE) {
    if (last - to >= RESTORE_RECORDS) return undefined;
    const page = await store.range(chain, Math.max(0, to - RESTORE_PAGE + 1), to, RESTORE_PAGE);
    for (const stored of page.reverse()) {
      const { type, body } = JSON.parse(stored.text) as LogRecord;
      if (type === 'commit' || (type === 'outcome' && body.epoch === null)) return 0;
      if (type === 'health' && isSelfTestBody(body)) return body.policy.consecutiveFailures;
    }
  }
  return 0;
}

function isSelfTestBody(body: LogRecord['body']): body is LogRecord['body'] & SelfTestBody {
  const policy = body.policy as Partial<SelfTestBody['policy']> | undefined;
  return body.source === SELF_TESTED_OUTPUT && body.test === 'SP800-22' && Number.isSafeInteger(policy?.consecutiveFailures) && policy!.consecutiveFailures! >= 0;
}
