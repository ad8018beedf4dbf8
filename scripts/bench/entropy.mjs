#!/usr/bin/env node
/**
 * @module scripts/bench/entropy
 * Single-thread throughput of the entropy pipeline's hot paths, on the
 * compiled drivers package (run `npx tsc -b drivers` first):
 * - SP 800-90B §4.4 RCT + APT over 8-bit raw samples (target ≥ 100 MB/s);
 * - the FIPS 140-2 battery (rngtest's tests) over 2,500-byte blocks;
 * - SP 800-90A CTR_DRBG (AES-256) output in large requests (target ≥ 200 MB/s).
 * Each runs over a few hundred MB after a warm-up, so one GC pause or a
 * JIT tier-up does not decide the figure. No assertions: it prints.
 */

import { randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = (path) => new URL(`../../drivers/dist/${path}`, import.meta.url);
if (!existsSync(fileURLToPath(dist('health/index.js')))) {
  console.error('drivers/dist is missing: run `npx tsc -b drivers` (or `npm run build`) first.');
  process.exit(1);
}
const { FIPS140_BLOCK_BYTES, Fips140Battery, HealthMonitor } = await import(dist('health/index.js'));
const { CtrDrbg, generateBytes } = await import(dist('drbg/index.js'));

const MB = 1e6;
const CHUNK = 1 << 20;

/** Runs `work(bytes)` until `total` bytes are done; returns MB/s. */
function measure(total, step, work) {
  const start = process.hrtime.bigint();
  for (let done = 0; done < total; done += step) work(step);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return total / MB / seconds;
}

function report(name, mbPerSecond, total, target) {
  const verdict = target === undefined ? '' : mbPerSecond >= target ? `  (target ≥ ${target}: met)` : `  (target ≥ ${target}: BELOW)`;
  console.log(`${name.padEnd(44)} ${mbPerSecond.toFixed(0).padStart(6)} MB/s over ${(total / MB).toFixed(0)} MB${verdict}`);
}

// Simulated raw input: 64 MiB of node:crypto output, fed over and over. The
// claim H = 4 bits per 8-bit sample is conservative for this data (C_RCT = 6,
// C_APT = 62 at α = 2^-20), so the tests run their full path without
// latching a false alarm; any alarm is counted and the monitor reset.
const raw = randomFillSync(new Uint8Array(64 << 20));
function healthBench(total) {
  const monitor = new HealthMonitor({ sampleBits: 8, H: 4 });
  let alarms = 0;
  let at = 0;
  const rate = measure(total, CHUNK, () => {
    if (monitor.feed(raw.subarray(at, at + CHUNK))) {
      alarms++;
      monitor.reset();
    }
    at = (at + CHUNK) % raw.length;
  });
  return { rate, alarms };
}

function fipsBench(total) {
  const battery = new Fips140Battery();
  const span = Math.floor(raw.length / FIPS140_BLOCK_BYTES) * FIPS140_BLOCK_BYTES;
  let at = 0;
  const rate = measure(total, FIPS140_BLOCK_BYTES, () => {
    battery.testBlock(raw.subarray(at, at + FIPS140_BLOCK_BYTES));
    at = (at + FIPS140_BLOCK_BYTES) % span;
  });
  return { rate, counts: battery.counts };
}

function drbgBench(total, request) {
  const drbg = new CtrDrbg({ derivationFunction: true });
  drbg.instantiate(randomFillSync(new Uint8Array(48)), randomFillSync(new Uint8Array(16)));
  return measure(total, request, (n) => generateBytes(drbg, n));
}

console.log(`node ${process.versions.node}, OpenSSL ${process.versions.openssl}, single thread\n`);

healthBench(64 << 20); // warm-up
const health = healthBench(512 << 20);
report('SP 800-90B RCT + APT, 8-bit samples', health.rate, 512 << 20, 100);
if (health.alarms) console.log(`  (${health.alarms} false alarm(s) on random data, reset and counted)`);

fipsBench(16 << 20);
const fips = fipsBench(200e6);
report('FIPS 140-2 battery (rngtest tests)', fips.rate, 200e6);
console.log(`  (${fips.counts.failures} of ${fips.counts.successes + fips.counts.failures} blocks failed; good random data fails about 1 block in 1,000)`);

drbgBench(64 << 20, 1 << 24);
report('CTR_DRBG AES-256 (df), 16 MiB requests', drbgBench(512 << 20, 1 << 24), 512 << 20, 200);
report('CTR_DRBG AES-256 (df), 64 KiB requests', drbgBench(256 << 20, 1 << 16), 256 << 20, 200);
report('CTR_DRBG AES-256 (df), 1 KiB requests', drbgBench(32 << 20, 1 << 10), 32 << 20);
