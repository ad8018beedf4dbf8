#!/usr/bin/env node
/**
 * @module scripts/bench/self-test
 * Time of the service's periodic SP 800-22 self-test (docs/entropy.md) on
 * its worker thread, worker start included, and the longest event-loop
 * stall while it runs; then the same subset on the main thread, which is
 * what the loop would stall for without the worker. Also the DRBG time to
 * draw the sample. Runs the compiled packages (npx tsc -b). No assertions:
 * it prints.
 *
 *   node scripts/bench/self-test.mjs [--bits 1000000,4000000,10000000]
 */

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const battery = new URL('../../rng-service/dist/entropy/self-test-battery.js', import.meta.url);
if (!existsSync(fileURLToPath(battery))) {
  console.error('rng-service/dist is missing: run `npx tsc -b` (or `npm run build`) first.');
  process.exit(1);
}
const { runSelfTestBattery, SELF_TEST_TESTS, SEQUENCE_BITS } = await import(battery.href);
const { TESTS, unpackBits } = await import(new URL('../../certification/dist/index.js', import.meta.url).href);
const { CtrDrbg, generateBytes } = await import(new URL('../../drivers/dist/index.js', import.meta.url).href);

const { values } = parseArgs({ options: { bits: { type: 'string', default: '1000000,4000000,10000000' } } });
const sizes = values.bits.split(',').map(Number);

const drbg = new CtrDrbg({ derivationFunction: true });
drbg.instantiate(randomBytes(32), randomBytes(16));
generateBytes(drbg, SEQUENCE_BITS / 8); // warm-up

for (const bits of sizes) {
  let t = performance.now();
  const sample = generateBytes(drbg, bits / 8);
  const drawMs = performance.now() - t;
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  t = performance.now();
  const verdict = await runSelfTestBattery(sample);
  const runMs = performance.now() - t;
  lag.disable();
  console.log(
    `${bits} bits: sample ${drawMs.toFixed(1)} ms, run ${runMs.toFixed(0)} ms on a worker, ` +
      `event-loop max lag ${(lag.max / 1e6).toFixed(1)} ms, ${verdict.passed ? 'passed' : `failed (${verdict.failedTests.join(', ')})`}, T = ${verdict.threshold} ppm`,
  );
}

const bits = unpackBits(generateBytes(drbg, SEQUENCE_BITS / 8), SEQUENCE_BITS);
for (const round of ['cold', 'warm']) {
  const t = performance.now();
  for (const name of SELF_TEST_TESTS) TESTS[name](bits);
  console.log(`subset on the main thread (${round}), 10^6 bits: ${(performance.now() - t).toFixed(0)} ms of stalled event loop`);
}
