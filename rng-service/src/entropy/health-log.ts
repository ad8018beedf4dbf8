/**
 * @module entropy/health-log
 * Turns entropy-source failures and recoveries into signed `health` records,
 * a metric and a log line. A health record needs no entropy, so it is
 * appended even while every source is down: the log says when and why play
 * stopped, and when it resumed.
 */

import type { FastifyBaseLogger } from 'fastify';
import type { Sequencer } from '../engine/sequencer.js';
import type { Metrics } from '../metrics.js';
import type { ChannelFailure } from './channel.js';

export class HealthLog {
  log: FastifyBaseLogger | null = null;
  readonly #failed = new Set<string>();

  constructor(
    private readonly sequencer: Sequencer,
    private readonly metrics: Metrics,
  ) {}

  failed(f: ChannelFailure): void {
    this.#failed.add(f.source);
    this.metrics.healthFailures.inc({ source: f.source, test: f.test });
    this.log?.warn({ source: f.source, test: f.test, detail: f.detail }, 'entropy source quarantined');
    this.#append({ source: f.source, status: 'failed', test: f.test, detail: f.detail, ...(f.sampleIndex === undefined ? {} : { sampleIndex: f.sampleIndex }) });
  }

  /** Only a return from quarantine is logged: the first start is in the boot record. */
  recovered(source: string): void {
    if (!this.#failed.delete(source)) return;
    this.log?.info({ source }, 'entropy source passed start-up tests again');
    this.#append({ source, status: 'recovered', test: 'STARTUP', detail: 'passed start-up health tests on fresh samples' });
  }

  #append(body: Record<string, string | number>): void {
    this.sequencer.submit(() => ({ type: 'health', body })).catch((err) => this.log?.error({ err }, 'health record not appended'));
  }
}
