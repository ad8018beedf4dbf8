#!/usr/bin/env node
/**
 * @module scripts/bench/nist
 * Wall-clock time of the whole NIST SP 800-22 battery (all 15 tests, sts
 * defaults) on a lab's usual run — 100 sequences of 10^6 bits — on worker
 * threads, against sts-2.1.2's ~3.8 s per sequence on this project's machine
 * (target: ≥ 10× faster, i.e. ≤ 38 s for 100 sequences). Then the same on
 * one worker thread, and a check that both gave identical p-values. Runs
 * the compiled package (npx tsc -b certification). No assertions: it prints.
 *
 *   node scripts/bench/nist.mjs [--sequences 100] [--bits 1000000] [--threads K] [--no-single] [--per-test]
 *
 * --per-test first prints each test's median time on this thread (7
 * sequences after a warm-up call), as the table in docs/nist-sp800-22.md.
 *
 * Input: SHA-256 counter mode, SHA-256("nist-bench-<s>" ‖ uint32be(i)), so
 * every run tests the same bits. Times include starting the workers.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const STS_SECONDS_PER_SEQUENCE = 3.8;

const entry = new URL('../../certification/dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('certification/dist is missing: run `npx tsc -b certification` (or `npm run build`) first.');
  process.exit(1);
}
const { runBattery, runBatteryParallel, TEST_NAMES, TESTS, unpackBits } = await import(entry.href);

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '100' },
    bits: { type: 'string', default: '1000000' },
    threads: { type: 'string', default: String(availableParallelism()) },
    'no-single': { type: 'boolean', default: false },
    'per-test': { type: 'boolean', default: false },
  },
});
const M = Number(values.sequences);
const N = Number(values.bits);
const threads = Number(values.threads);
for (const [flag, v] of [['--sequences', M], ['--bits', N], ['--threads', threads]]) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`${flag}: must be a positive integer`);
    process.exit(2);
  }
}

function sha256Stream(seed, nBytes) {
  const out = new Uint8Array(nBytes);
  const ctr = Buffer.alloc(4);
  for (let i = 0, off = 0; off < nBytes; i++, off += 32) {
    ctr.writeUInt32BE(i);
    const d = createHash('sha256').update(seed).update(ctr).digest();
    out.set(d.subarray(0, Math.min(32, nBytes - off)), off);
  }
  return out;
}

const sequences = Array.from({ length: M }, (_, s) => ({ bytes: sha256Stream(`nist-bench-${s}`, Math.ceil(N / 8)), nBits: N }));

async function timed(k) {
  const t0 = performance.now();
  const results = await runBatteryParallel(sequences, { threads: k });
  return { seconds: (performance.now() - t0) / 1000, results };
}

function line(label, seconds) {
  const per = seconds / M;
  const speedup = STS_SECONDS_PER_SEQUENCE / per;
  return (
    `${label.padEnd(20)} ${seconds.toFixed(2).padStart(7)} s total  ${(per * 1000).toFixed(1).padStart(7)} ms/sequence  ` +
    `${(M / seconds).toFixed(2).padStart(6)} sequences/s  ${speedup.toFixed(1).padStart(5)}× sts`
  );
}

console.log(
  `NIST SP 800-22, all 15 tests: ${M} sequences × ${N} bits; ${cpus()[0]?.model ?? 'cpu'}, ` +
    `parallelism ${availableParallelism()}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
if (values['per-test']) {
  const seqs = Array.from({ length: 8 }, (_, s) => unpackBits(sha256Stream(`nist-bench-${s}`, Math.ceil(N / 8)), N));
  runBattery(seqs[0]);
  const times = new Map(TEST_NAMES.map((name) => [name, []]));
  for (const bits of seqs.slice(1)) {
    for (const name of TEST_NAMES) {
      const t0 = performance.now();
      TESTS[name](bits);
      times.get(name).push(performance.now() - t0);
    }
  }
  let sum = 0;
  for (const [name, v] of times) {
    const median = v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
    sum += median;
    console.log(`  ${name.padEnd(24)} ${median.toFixed(1).padStart(7)} ms (median of ${v.length})`);
  }
  console.log(`  ${'sum of medians'.padEnd(24)} ${sum.toFixed(1).padStart(7)} ms`);
}
const parallel = await timed(threads);
console.log(line(`${threads} worker threads`, parallel.seconds));
if (N === 1_000_000 && M === 100) {
  const limit = (STS_SECONDS_PER_SEQUENCE * M) / 10;
  console.log(`  target ≥ 10× sts (${STS_SECONDS_PER_SEQUENCE} s/sequence), i.e. ≤ ${limit.toFixed(0)} s: ${parallel.seconds <= limit ? 'met' : 'NOT MET'}`);
}
if (!values['no-single']) {
  const single = await timed(1);
  console.log(line('1 worker thread', single.seconds));
  console.log(`  parallel speed-up ${(single.seconds / parallel.seconds).toFixed(2)}× on ${threads} threads`);
  const same = JSON.stringify(single.results) === JSON.stringify(parallel.results);
  console.log(`  p-values identical on 1 and ${threads} threads: ${same ? 'yes' : 'NO'}`);
  if (!same) process.exitCode = 1;
}
