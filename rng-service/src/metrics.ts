/**
 * @module metrics
 * Prometheus metrics, one registry per service instance.
 */

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly outcomes = new Counter({ name: 'rngseal_outcomes_total', help: 'Outcome records appended', registers: [this.registry] });
  readonly draws = new Counter({ name: 'rngseal_draws_total', help: 'Draws appended, by mapping', labelNames: ['mapping'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'rngseal_http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'rngseal_store_batch_records',
    help: 'Records per store transaction (group commit)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'rngseal_store_batch_seconds',
    help: 'Build, sign and commit time of one batch',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly entropyBytes = new Counter({ name: 'rngseal_entropy_bytes_total', help: 'Entropy bytes drawn by the engine', registers: [this.registry] });
  readonly entropyRefusals = new Counter({
    name: 'rngseal_entropy_refusals_total',
    help: 'Draws refused because the entropy source was unavailable or unhealthy',
    registers: [this.registry],
  });

  readonly healthFailures = new Counter({
    name: 'rngseal_health_failures_total',
    help: 'Entropy source health-test failures and disconnects, by source and test',
    labelNames: ['source', 'test'],
    registers: [this.registry],
  });

  readonly selfTestRuns = new Counter({
    name: 'rngseal_self_test_runs_total',
    help: 'SP 800-22 self-test runs on DRBG output, by result (passed, failed, skipped while entropy is unavailable, error)',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly selfTestFailures = new Counter({
    name: 'rngseal_self_test_failures_total',
    help: 'SP 800-22 self-test runs that failed (a good generator fails one run with probability <= 0.01)',
    registers: [this.registry],
  });
  readonly selfTestConsecutiveFailures = new Gauge({
    name: 'rngseal_self_test_consecutive_failures',
    help: 'SP 800-22 self-test failures in a row: 1 re-test, 2 alarm, 3 or more play stopped (docs/entropy.md)',
    registers: [this.registry],
  });
  readonly selfTestAlarm = new Gauge({
    name: 'rngseal_self_test_alarm',
    help: '1 while the SP 800-22 self-test has failed at least twice in a row, else 0',
    registers: [this.registry],
  });
  readonly selfTestSeconds = new Histogram({
    name: 'rngseal_self_test_seconds',
    help: 'Time of one SP 800-22 self-test run on its worker thread',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
