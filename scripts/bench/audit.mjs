#!/usr/bin/env node
/**
 * @module scripts/bench/audit
 * `npm run bench:audit`: `rngseal audit` on a 1,000,000-record export
 * against the raw Ed25519 verify rate of this machine, measured in the same
 * run (target: audit records/s ≥ 0.8 × raw verifies/s). No assertions: it
 * prints, and exits 0 whether the target is met (PASS) or not (MISS); 1
 * only when the audit fails.
 *
 *   node scripts/bench/audit.mjs [--records 1000000] [--threads K] [--seconds 4] [--rebuild]
 *
 * 1. The log, built once and cached in .cache/bench/ (the file name carries
 *    LOG_FORMAT and the record version, so a format change builds anew): the
 *    real service (startService: SQLite, os entropy, its own key) in this
 *    process, driven through its Engine with thousands of requests in
 *    flight, so the sequencer builds, signs, commits and checkpoints them as
 *    it would over HTTP. One outcome in three is a direct draw (one draw),
 *    the others draw twice in a seeded epoch, which is rotated (reveal +
 *    next commit) every 4,000 outcomes; the draws cycle through seven
 *    mappings, and a checkpoint follows every 1,000 records (the default).
 *    The export is GET /v1/export, streamed to the file.
 * 2. Raw rate: node:crypto Ed25519 verify of the log's own (message,
 *    signature) pairs under one parsed key, on K worker threads for
 *    --seconds, before and after the audit; the mean is the reference.
 * 3. The audit: `rngseal audit FILE --key VKEY --threads K` in a child
 *    process (this file with --role audit, which runs the CLI's main):
 *    wall-clock from spawn to exit, and the child's peak RSS.
 * 4. Where the rest goes: the audit's own work besides Ed25519 verify, per
 *    record, measured in one thread (costBesidesVerify).
 */

import { fork } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICE_DIST = join(ROOT, 'rng-service/dist');
const VERIFIER_DIST = join(ROOT, 'verifier/dist');
const CACHE = join(ROOT, '.cache/bench');
/** Bump when the way the log is built changes, so a cached log is rebuilt. */
const LOG_FORMAT = 1;
const TARGET_RATIO = 0.8;

const { values: opts } = parseArgs({
  options: {
    role: { type: 'string' },
    records: { type: 'string', default: '1000000' },
    threads: { type: 'string', default: String(availableParallelism()) },
    seconds: { type: 'string', default: '4' },
    rebuild: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

async function main() {
  for (const file of [join(SERVICE_DIST, 'cli.js'), join(VERIFIER_DIST, 'index.js')]) {
    if (!existsSync(file)) fail(`${file} is missing: run \`npx tsc -b\` first`);
  }
  const records = positiveInt('--records', opts.records);
  const threads = positiveInt('--threads', opts.threads);
  const seconds = Number(opts.seconds);
  if (!(seconds > 0)) fail('--seconds: must be a positive number');
  const { RECORD_VERSION, signingMessage } = await import(join(VERIFIER_DIST, 'index.js'));

  console.log(`rngseal audit benchmark: ${cpus()[0]?.model ?? 'cpu'}, parallelism ${availableParallelism()}, ` +
    `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${threads} threads`);
  const log = await cachedLog(records, `audit-log-f${LOG_FORMAT}-v${RECORD_VERSION}-${records}`);
  console.log(`log: ${log.file} (${log.records.toLocaleString('en-US')} records, ${(log.bytes / 1e6).toFixed(0)} MB)`);

  const pairs = signaturePairs(log.file, 4096, signingMessage);
  const before = await rawVerifyRate(log.publicKey, pairs, threads, seconds);
  console.log(`raw Ed25519 verify (node:crypto, ${threads} threads), before: ${fmt(before)} verifies/s`);
  const audit = await runAudit(log, threads);
  const after = await rawVerifyRate(log.publicKey, pairs, threads, seconds);
  console.log(`raw Ed25519 verify (node:crypto, ${threads} threads), after:  ${fmt(after)} verifies/s`);

  if (audit.code !== 0 || !audit.stdout.startsWith('OK chain')) {
    console.log(`audit FAILED (exit ${audit.code}):\n${audit.stdout}${audit.stderr}`);
    process.exitCode = 1;
    return;
  }
  const rate = log.records / audit.seconds;
  const raw = (before + after) / 2;
  const ratio = rate / raw;
  console.log(`rngseal audit --threads ${threads}: ${log.records.toLocaleString('en-US')} records in ${audit.seconds.toFixed(1)} s = ${fmt(rate)} records/s, ` +
    `peak RSS ${(audit.maxRssKb / 1024).toFixed(0)} MB`);
  console.log(`ratio to the raw verify rate (mean ${fmt(raw)}/s): ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? 'PASS' : 'MISS'}`);
  console.log(audit.stdout.trimEnd().split('\n').map((l) => `  | ${l}`).join('\n'));
  const cost = await costBesidesVerify(log, BREAKDOWN_RECORDS);
  console.log(`besides Ed25519 verify, one thread, first ${fmt(cost.records)} records (µs a record): ` +
    `worker ${cost.worker.toFixed(2)}, wire ${cost.wire.toFixed(2)}, main thread's checks ${cost.main.toFixed(2)}`);
}

// ---------------------------------------------------------------- the log

/** The cached log, or a new one built through the real service. */
async function cachedLog(records, name) {
  const file = join(CACHE, `${name}.ndjson`);
  const meta = join(CACHE, `${name}.json`);
  if (!opts.rebuild && existsSync(file) && existsSync(meta)) return { file, ...JSON.parse(readFileSync(meta, 'utf8')) };
  mkdirSync(CACHE, { recursive: true });
  console.log(`building the log (${records.toLocaleString('en-US')} records through the service; cached for later runs) …`);
  const built = await buildLog(records, `${file}.partial`);
  renameSync(`${file}.partial`, file);
  writeFileSync(meta, `${JSON.stringify(built)}\n`);
  return { file, ...built };
}

const DRAWS = [
  { mapping: 'dice', params: { count: 2, sides: 6 } },
  { mapping: 'range', params: { min: 1, max: 100 } },
  { mapping: 'shuffle', params: { n: 52 } },
  { mapping: 'draw', params: { n: 80, k: 20 } },
  { mapping: 'weighted', params: { weights: [50, 30, 15, 5] } },
  { mapping: 'reels', params: { reels: [[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7]] } },
  { mapping: 'float', params: {} },
];
const IN_FLIGHT = 2000;

async function buildLog(records, out) {
  const { loadConfig } = await import(join(SERVICE_DIST, 'config.js'));
  const { startService } = await import(join(SERVICE_DIST, 'service.js'));
  const dataDir = mkdtempSync(join(tmpdir(), 'rngseal-bench-audit-'));
  // Flags only: RNGSEAL_* variables of the caller's shell must not leak in. Checkpoints by count, not by clock.
  const config = loadConfig({ 'data-dir': dataDir, host: '127.0.0.1', port: '0', 'log-level': 'warn', source: 'os', 'checkpoint-ms': '86400000' }, {});
  const service = await startService(config, () => {});
  const started = performance.now();
  try {
    const { engine, sequencer, transparency } = service.app.services;
    const epochOf = (stored) => JSON.parse(stored.text).body.epoch;
    let epoch = epochOf(await engine.createEpoch({ requestId: 'bench-epoch-0' }));
    let n = 0;
    for (let round = 1; sequencer.head.seq + 1 < records; round++) {
      const jobs = [];
      for (let i = Math.min(IN_FLIGHT, records - sequencer.head.seq - 1); i > 0; i--, n++) {
        const draw = DRAWS[n % DRAWS.length];
        if (n % 3 === 0) jobs.push(engine.outcomes({ requestId: `bench-${n}`, draws: [draw] }));
        else jobs.push(engine.outcomes({ requestId: `bench-${n}`, epoch, clientSeed: `player-${n % 97}`, draws: [draw, DRAWS[(n + 1) % DRAWS.length]] }));
      }
      await Promise.all(jobs);
      if (round % 2 === 0) epoch = epochOf((await engine.rotateEpoch(epoch, { requestId: `bench-epoch-${round}` }))[1]);
      if (round % 25 === 0) process.stdout.write(`  ${(sequencer.head.seq + 1).toLocaleString('en-US')} records, ${((performance.now() - started) / 1000).toFixed(0)} s\r`);
    }
    await engine.revealEpoch(epoch);
    const head = sequencer.head.seq;
    const response = await fetch(`${service.url}/v1/export`);
    await pipeline(Readable.fromWeb(response.body), createWriteStream(out));
    const keys = await (await fetch(`${service.url}/v1/keys`)).json();
    console.log(`built ${(head + 1).toLocaleString('en-US')} records in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return { records: head + 1, bytes: statSync(out).size, publicKey: keys[0].publicKey, vkey: keys[0].vkey, origin: transparency.origin };
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The signing message and signature of (at most) the first `count` records. */
function signaturePairs(file, count, signingMessage) {
  const lines = readLines(file, count).toString('utf8').split('\n').slice(0, -1);
  return lines.map((line) => {
    const { hash, sig } = JSON.parse(line);
    return { message: signingMessage(Buffer.from(hash, 'hex')), signature: Buffer.from(sig, 'hex') };
  });
}

// ---------------------------------------------------------------- raw verify rate

const VERIFY_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const { publicKey, pairs, seconds } = workerData;
const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey, 'hex').toString('base64url') }, format: 'jwk' });
const until = performance.now() + seconds * 1000;
let n = 0, bad = 0;
while (performance.now() < until) {
  for (let i = 0; i < 64; i++, n++) {
    const p = pairs[n % pairs.length];
    if (!verify(null, p.message, key, p.signature)) bad++;
  }
}
parentPort.postMessage({ n, bad });
`;

async function rawVerifyRate(publicKey, pairs, threads, seconds) {
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: threads }, () => new Promise((resolveCount, reject) => {
    const w = new Worker(VERIFY_THREAD, { eval: true, workerData: { publicKey, pairs, seconds } });
    w.once('message', (m) => (m.bad ? reject(new Error(`${m.bad} signatures of the log did not verify`)) : resolveCount(m.n)));
    w.once('error', reject);
  })));
  return counts.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

// ---------------------------------------------------------------- the audit

function runAudit(log, threads) {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const child = fork(fileURLToPath(import.meta.url), ['--role', 'audit', '--', 'audit', log.file, '--key', log.vkey, '--threads', String(threads)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let stdout = '';
    let stderr = '';
    let maxRssKb = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('message', (m) => (maxRssKb = m.maxRssKb));
    child.on('error', reject);
    child.on('exit', (code) => resolveRun({ code, stdout, stderr, maxRssKb, seconds: (performance.now() - started) / 1000 }));
  });
}

/** Child: the CLI's main on the arguments after `--`, then its peak RSS (worker threads included) to the parent. */
async function auditChild() {
  const { main: cli } = await import(pathToFileURL(join(SERVICE_DIST, 'cli.js')).href);
  const args = process.argv.slice(process.argv.indexOf('--') + 1);
  const code = await cli(args);
  process.send({ maxRssKb: process.resourceUsage().maxRSS });
  process.exitCode = code;
  process.disconnect();
}

// ---------------------------------------------------------------- where the rest goes

const BREAKDOWN_RECORDS = 100_000;

/**
 * The audit's work besides Ed25519 verify, per record, in this thread and
 * so free of scheduling: the worker's examineChunk with a verifier that
 * accepts everything, the trip to the main thread (structured clone with
 * the buffers transferred, then decode), and ChainAuditor.accept. Best of
 * three rounds over the log's first records.
 */
async function costBesidesVerify(log, records) {
  const V = await import(join(VERIFIER_DIST, 'index.js'));
  const { nodeHashing, nodeMac } = await import(join(SERVICE_DIST, 'node-crypto.js'));
  const { examineChunk } = await import(join(SERVICE_DIST, 'audit/examine-chunk.js'));
  const { decodeFacts, transferList } = await import(join(SERVICE_DIST, 'audit/wire.js'));
  const { lineChunks } = await import(join(SERVICE_DIST, 'audit/chunks.js'));
  const { firstPass } = await import(join(SERVICE_DIST, 'audit/first-pass.js'));
  const head = readLines(log.file, records);
  const key = V.fromHex(log.publicKey);
  const { seeds } = await firstPass([head]);
  const acceptAll = () => true;
  const options = { keyFor: () => key, seedFor: (e) => seeds.get(e), checkBodies: true, holdUnseeded: false, verify: acceptAll, mac: nodeMac, hashing: nodeHashing };
  const chunks = [];
  for await (const chunk of lineChunks([head])) chunks.push(chunk);
  const best = { worker: Infinity, wire: Infinity, main: Infinity, records: 0 };
  for (let round = 0; round < 3; round++) {
    const auditor = new V.ChainAuditor({ keys: [key], seeds, seedsComplete: true, verifySignature: acceptAll, mac: nodeMac, hashing: nodeHashing });
    const spent = { worker: 0, wire: 0, main: 0 };
    let n = 0;
    for (const chunk of chunks) {
      let t = performance.now();
      const reply = examineChunk(chunk.slice(), options, new Map([[key, 0]]));
      spent.worker += performance.now() - t;
      t = performance.now();
      const facts = decodeFacts(structuredClone(reply, { transfer: transferList(reply) }), [key]);
      spent.wire += performance.now() - t;
      t = performance.now();
      for (const f of facts) auditor.accept(f);
      spent.main += performance.now() - t;
      n += facts.length;
    }
    for (const part of ['worker', 'wire', 'main']) best[part] = Math.min(best[part], (spent[part] * 1000) / n);
    best.records = n;
  }
  return best;
}

/** The first `count` lines of a file (whole lines only). */
function readLines(file, count) {
  const buffer = Buffer.alloc(Math.min(statSync(file).size, count * 2048));
  const fd = openSync(file, 'r');
  const length = readSync(fd, buffer, 0, buffer.length, 0);
  closeSync(fd);
  let end = 0;
  for (let i = 0; i < count && end < length; i++) {
    const newline = buffer.indexOf(0x0a, end);
    if (newline < 0) break;
    end = newline + 1;
  }
  return buffer.subarray(0, end);
}

// ---------------------------------------------------------------- helpers

function positiveInt(flag, text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) fail(`${flag}: must be a positive integer`);
  return n;
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

if (opts.role === 'audit') await auditChild();
else await main();
