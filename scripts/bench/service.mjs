#!/usr/bin/env node
/**
 * rngseal service benchmark (`npm run bench`; needs a build: `tsc -b`).
 *
 * Setup, chosen to measure the server fairly on a small (2-core) machine:
 *   - the server under test runs alone in a child process (fork of this file
 *     with --role service|bare): its event loop (and, for the service, its
 *     SQLite writer and signing threads) share nothing with the client;
 *   - autocannon (programmatic API) runs in this parent process, which the
 *     OS schedules on the other core;
 *   - the service and the bare baseline are measured one after the other,
 *     each in its own child, with the same client, connections and duration.
 *
 * Phases (each: warm-up, then a measured run):
 *   1. single   POST /v1/outcome, one dice draw (2×6), unique requestId each
 *   2. batched  POST /v1/outcomes, 1,000 dice draws (2×6) in one record
 *   3. bare     a minimal fastify route doing only the CPU work of one record
 *               (JCS canonicalize + SHA-256 + Ed25519 sign, node:crypto; no
 *               entropy, HMAC, auth, idempotency or store), measured the same
 *               way: the ratio single ÷ bare is what the service costs on top
 *
 * The service runs on SQLite (WAL, synchronous=FULL) in a fresh temporary
 * data directory, log level warn. After the run the store is opened and the
 * outcome records are counted: every 2xx answer must be a stored record.
 *
 * PostgreSQL phases (postgres-phases.mjs, docs/scale.md), on a fresh
 * database created next to --pg and dropped after:
 *   4. pg-single     as 1, on one instance
 *   5. pg-batched    as 2, on one instance
 *   6. pg-batched-2  as 2, on two instances at once, and the ratio to one
 *
 * Options: --duration s (10), --warmup s (3), --connections n (50),
 *          --dir path (parent of the temporary data directory; default the
 *          OS temp dir — put it on the disk you mean to measure),
 *          --cpu-prof dir (write V8 CPU profiles of the server children),
 *          --keep (keep the data directory), --json (also print the figures as JSON),
 *          --phases single,batched,bare,pg-single,pg-batched,pg-batched-2 (a subset, e.g. to profile one phase),
 *          --pg postgres://… (a role that may CREATE DATABASE; default RNGSEAL_TEST_PG or root@127.0.0.1:5432/test).
 * Exit code 1 when a phase had errors or non-2xx answers or the store count
 * is short; missed performance targets are reported as MISS, exit code 0.
 */

import { fork } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PG_PHASES, postgresPhases } from './postgres-phases.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVICE_DIST = join(ROOT, 'rng-service/dist');
const VERIFIER_DIST = join(ROOT, 'verifier/dist');

const TARGETS = { batchedOutcomesPerSec: 20_000, ratio: 0.75, p99Ms: 25 };
const BATCH_DRAWS = 1000;
const DRAW = { mapping: 'dice', params: { count: 2, sides: 6 } };

const { values: opts } = parseArgs({
  options: {
    role: { type: 'string' },
    'data-dir': { type: 'string' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    dir: { type: 'string' },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    phases: { type: 'string', default: ['single', 'batched', 'bare', ...PG_PHASES].join(',') },
    pg: { type: 'string', default: process.env.RNGSEAL_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test' },
    store: { type: 'string' },
    key: { type: 'string' },
  },
});

// ---------------------------------------------------------------- children

/** Child: the real service, as `rngseal serve` would start it. */
async function serveService(dataDir) {
  const { loadConfig } = await import(join(SERVICE_DIST, 'config.js'));
  const { startService } = await import(join(SERVICE_DIST, 'service.js'));
  // Flags only: RNGSEAL_* variables of the caller's shell must not leak in.
  const shared = opts.store ? { store: opts.store, ...(opts.key ? { key: opts.key } : {}) } : {}; // PostgreSQL phases
  const config = loadConfig({ 'data-dir': dataDir, host: '127.0.0.1', port: '0', 'log-level': 'warn', ...shared }, {});
  const service = await startService(config, () => {});
  serveChild(service.url, () => service.stop());
}

/** Child: a bare fastify route doing only the CPU work of one record. */
async function serveBare() {
  const { default: Fastify } = await import(createRequire(join(SERVICE_DIST, 'service.js')).resolve('fastify'));
  const { canonicalize, signingMessage, toHex } = await import(join(VERIFIER_DIST, 'index.js'));
  const { privateKey } = generateKeyPairSync('ed25519');
  const chain = `bare-${randomBytes(6).toString('hex')}`;
  let seq = 0;
  let prev = '0'.repeat(64);
  // Only the record's CPU work: no entropy or HMAC, the "entropy" and results are stand-ins.
  const entropy = randomBytes(32).toString('hex');
  const app = Fastify({ logger: false, bodyLimit: 1 << 20 });
  app.post('/v1/outcome', async (request) => {
    const { requestId, mapping, params } = request.body;
    const result = Array.from({ length: params.count }, (_, i) => 1 + ((seq + i) % params.sides));
    const unsigned = {
      v: 1, chain, seq: seq++, time: Date.now(), type: 'outcome', prev, key: '0123456789abcdef',
      body: { request: requestId, epoch: null, clientSeed: '', entropy, draws: [{ mapping: `${mapping}@1`, params, nonce: 0, result }] },
    };
    const hash = createHash('sha256').update(canonicalize(unsigned)).digest();
    const sig = sign(null, signingMessage(hash), privateKey);
    prev = hash.toString('hex');
    return { record: { ...unsigned, hash: prev, sig: toHex(sig) }, results: [result] };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  serveChild(url, () => app.close());
}

/** IPC with the parent: announce the url, answer CPU/event-loop probes, stop on request. */
function serveChild(url, stop) {
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let wall = performance.now();
  process.on('message', async (msg) => {
    if (msg === 'mark') {
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      wall = performance.now();
      process.send({ marked: true });
    } else if (msg === 'probe') {
      const c = process.cpuUsage(cpu);
      const ms = performance.now() - wall;
      process.send({ cpu: (c.user + c.system) / 1000 / ms, elu: performance.eventLoopUtilization(elu).utilization });
    } else if (msg === 'stop') {
      await stop();
      process.send({ stopped: true }, () => process.exit(0));
    }
  });
  process.send({ url });
}

// ---------------------------------------------------------------- parent

class Child {
  static async start(role, args = []) {
    const execArgv = opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(opts['cpu-prof']), '--cpu-prof-name', `${role}-${Date.now()}.cpuprofile`] : [];
    const proc = fork(fileURLToPath(import.meta.url), ['--role', role, ...args], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const child = new Child(role, proc);
    child.url = (await child.#next((m) => m.url, 60_000)).url;
    return child;
  }

  #waiters = [];

  constructor(role, proc) {
    this.role = role;
    this.proc = proc;
    proc.on('message', (m) => {
      const i = this.#waiters.findIndex((w) => w.match(m));
      if (i >= 0) this.#waiters.splice(i, 1)[0].resolve(m);
    });
    proc.on('exit', (code) => {
      for (const w of this.#waiters.splice(0)) w.reject(new Error(`${role} child exited with code ${code}`));
    });
  }

  #next(match, timeout = 30_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.role} child did not answer`)), timeout);
      this.#waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  async mark() {
    const p = this.#next((m) => m.marked);
    this.proc.send('mark');
    await p;
  }

  async probe() {
    const p = this.#next((m) => m.cpu !== undefined);
    this.proc.send('probe');
    return p;
  }

  async stop() {
    const exited = new Promise((r) => this.proc.once('exit', r));
    const p = this.#next((m) => m.stopped, 60_000);
    this.proc.send('stop');
    await p;
    await exited;
  }
}

async function main() {
  for (const f of [join(SERVICE_DIST, 'service.js'), join(VERIFIER_DIST, 'index.js')]) {
    if (!existsSync(f)) {
      process.stderr.write(`bench: ${f} is missing; build first (npx tsc -b)\n`);
      return 2;
    }
  }
  const { default: autocannon } = await import('autocannon');
  const duration = Number(opts.duration);
  const warmup = Number(opts.warmup);
  const connections = Number(opts.connections);
  const dataDir = mkdtempSync(join(opts.dir ? resolve(opts.dir) : tmpdir(), 'rngseal-bench-'));
  const tag = randomBytes(4).toString('hex');
  let nextId = 0;
  const freshId = (phase) => `bench-${tag}-${phase}.${nextId++}`;

  const say = (line) => process.stdout.write(`${line}\n`);
  say('rngseal service benchmark');
  say(`  machine   ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say('  setup     each server alone in its own child process; autocannon (programmatic) in the parent process, a separate process;');
  say(`            ${connections} connections, pipelining 1, ${warmup} s warm-up + ${duration} s measured per phase`);
  say(`  store     SQLite WAL, synchronous=FULL, fresh data dir ${dataDir}`);
  say(`  requests  single: POST /v1/outcome ${JSON.stringify(DRAW)}; batched: POST /v1/outcomes with ${BATCH_DRAWS} such draws; unique requestId each`);
  say('');

  const load = (url, path, headers, body) => async (phaseName, seconds) =>
    autocannon({
      url,
      connections,
      pipelining: 1,
      duration: seconds,
      timeout: 10,
      requests: [{
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (req) => ({ ...req, body: body(freshId(phaseName)) }),
      }],
    });

  const phases = new Set(opts.phases.split(','));
  const results = {};
  let failed = false;
  const measure = async (name, child, run, outcomesPerReq, hooks = {}) => {
    process.stdout.write(`  ${name}: warm-up… `);
    await run(`${name}-warmup`, warmup);
    await hooks.before?.();
    await child.mark();
    process.stdout.write('measuring… ');
    const clientCpu = process.cpuUsage();
    const r = await run(name, duration);
    const c = process.cpuUsage(clientCpu);
    const usage = await child.probe();
    await hooks.after?.();
    const ok = r['2xx'];
    const row = {
      phase: name,
      reqPerSec: ok / r.duration,
      outcomesPerSec: (ok * outcomesPerReq) / r.duration,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      ok,
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      serverCpu: usage.cpu,
      serverElu: usage.elu,
      clientCpu: (c.user + c.system) / 1e6 / r.duration,
    };
    if (row.non2xx || row.errors || row.timeouts) failed = true;
    results[name] = row;
    say(`${Math.round(row.reqPerSec)} req/s, p99 ${row.p99} ms, server CPU ${(usage.cpu * 100).toFixed(0)} %, event loop ${(usage.elu * 100).toFixed(0)} % busy, client CPU ${(row.clientCpu * 100).toFixed(0)} %`);
    return row;
  };

  // --- the service
  const service = await Child.start('service', ['--data-dir', dataDir]);
  const token = readFileSync(join(dataDir, 'game-server.token'), 'utf8').trim();
  const auth = { authorization: `Bearer ${token}` };
  const single = load(service.url, '/v1/outcome', auth, (id) => JSON.stringify({ requestId: id, ...DRAW }));
  const drawsJson = JSON.stringify(Array.from({ length: BATCH_DRAWS }, () => DRAW));
  const batched = load(service.url, '/v1/outcomes', auth, (id) => `{"requestId":${JSON.stringify(id)},"draws":${drawsJson}}`);

  // Sanity: one request of each kind answers a signed record with the right results.
  for (const [path, body, n] of [
    ['/v1/outcome', { requestId: freshId('check'), ...DRAW }, 1],
    ['/v1/outcomes', { requestId: freshId('check'), draws: Array.from({ length: BATCH_DRAWS }, () => DRAW) }, BATCH_DRAWS],
  ]) {
    const res = await fetch(`${service.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
    const json = await res.json();
    if (res.status !== 200 || json.results?.length !== n || !/^[0-9a-f]{128}$/.test(json.record?.sig ?? '')) {
      say(`bench: sanity request ${path} failed: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      await service.stop();
      return 1;
    }
  }

  let before = '';
  let after = '';
  if (phases.has('single')) {
    await measure('single', service, single, 1, {
      before: async () => void (before = await scrape(service.url)),
      after: async () => void (after = await scrape(service.url)),
    });
  }
  if (phases.has('batched')) await measure('batched', service, batched, BATCH_DRAWS);
  await service.stop();

  // Every 2xx answer must be a durable record.
  const stored = countOutcomes(join(dataDir, 'rngseal.db'), tag);
  const answered = { single: results.single?.ok ?? 0, batched: results.batched?.ok ?? 0 };

  // --- the bare baseline
  if (phases.has('bare')) {
    const bare = await Child.start('bare');
    const bareRun = load(bare.url, '/v1/outcome', {}, (id) => JSON.stringify({ requestId: id, ...DRAW }));
    await measure('bare', bare, bareRun, 1);
    await bare.stop();
  }

  const pgRun = PG_PHASES.some((p) => phases.has(p))
    ? await postgresPhases({
      adminUrl: opts.pg, phases, Child, load, measure, results, tag, say, keep: opts.keep, serviceDist: SERVICE_DIST,
      tmp: opts.dir ? resolve(opts.dir) : tmpdir(), draw: DRAW, batchDraws: BATCH_DRAWS, warmup, duration, target: TARGETS.batchedOutcomesPerSec,
    })
    : null;
  if (pgRun && !pgRun.ok) failed = true;

  if (!opts.keep) rmSync(dataDir, { recursive: true, force: true });

  // --- report
  say('');
  const fmt = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const table = [['phase', 'req/s', 'outcomes/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors', 'timeouts', 'server CPU', 'loop busy', 'client CPU']];
  for (const r of Object.values(results)) {
    table.push([r.phase, fmt(r.reqPerSec), r.phase === 'bare' ? '-' : fmt(r.outcomesPerSec), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 0), fmt(r.ok), String(r.non2xx), String(r.errors), String(r.timeouts), `${fmt(r.serverCpu * 100)} %`, `${fmt(r.serverElu * 100)} %`, `${fmt(r.clientCpu * 100)} %`]);
  }
  printTable(say, table);
  say('  (outcomes/s are durable: 2xx answers, each sent only after its store commit (SQLite or PostgreSQL), × outcomes per request;');
  say('   server CPU counts all threads of the server process, loop busy its main event loop, client CPU the autocannon process)');

  if (results.single) {
    say('');
    say('Group commit during the measured single-outcome phase (rngseal_store_batch_records):');
    printBatchHistogram(say, before, after);
  }

  say('');
  say('Store check after stop:');
  const storeOk = stored.single >= answered.single && stored.batched >= answered.batched;
  if (!storeOk) failed = true;
  say(`  outcome records stored: single ${fmt(stored.single)} (≥ ${fmt(answered.single)} measured 2xx), batched ${fmt(stored.batched)} (≥ ${fmt(answered.batched)}) → ${storeOk ? 'ok' : 'SHORT'}`);
  pgRun?.report(say, fmt);

  const { single: s1, batched: b1, bare: b0 } = results;
  const ratio = s1 && b0 ? s1.reqPerSec / b0.reqPerSec : null;
  const verdict = (pass) => (pass ? 'PASS' : 'MISS');
  say('');
  say('Targets:');
  if (b1) say(`  batched durable outcomes/s ≥ ${fmt(TARGETS.batchedOutcomesPerSec)}: ${fmt(b1.outcomesPerSec)}  ${verdict(b1.outcomesPerSec >= TARGETS.batchedOutcomesPerSec)}`);
  if (ratio !== null) say(`  single req/s ÷ bare req/s ≥ ${TARGETS.ratio}: ${fmt(s1.reqPerSec)} ÷ ${fmt(b0.reqPerSec)} = ${ratio.toFixed(2)}  ${verdict(ratio >= TARGETS.ratio)}`);
  if (s1) say(`  single-outcome p99 ≤ ${TARGETS.p99Ms} ms: ${fmt(s1.p99, 1)} ms  ${verdict(s1.p99 <= TARGETS.p99Ms)}`);
  pgRun?.targets(say, fmt, verdict);
  say(`  no errors, no non-2xx, every 2xx stored: ${verdict(!failed)}`);
  if (opts.json) say(JSON.stringify({ results, ratio, stored, targets: TARGETS }));
  return failed ? 1 : 0;
}

async function scrape(url) {
  const res = await fetch(`${url}/metrics`);
  return res.text();
}

/** Cumulative Prometheus buckets of one histogram → Map(le → count), plus sum and count. */
function histogram(text, name) {
  const buckets = new Map();
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    let m = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`).exec(line);
    if (m) buckets.set(m[1], Number(m[2]));
    if ((m = new RegExp(`^${name}_sum(?:\\{\\})? (\\S+)`).exec(line))) sum = Number(m[1]);
    if ((m = new RegExp(`^${name}_count(?:\\{\\})? (\\S+)`).exec(line))) count = Number(m[1]);
  }
  return { buckets, sum, count };
}

function printBatchHistogram(say, beforeText, afterText) {
  const b = histogram(beforeText, 'rngseal_store_batch_records');
  const a = histogram(afterText, 'rngseal_store_batch_records');
  const bs = histogram(beforeText, 'rngseal_store_batch_seconds');
  const as = histogram(afterText, 'rngseal_store_batch_seconds');
  const count = a.count - b.count;
  const records = a.sum - b.sum;
  let prevLe = '0';
  let prevCum = 0;
  const rows = [['records per commit', 'commits', 'share']];
  for (const [le, cum] of a.buckets) {
    const c = cum - (b.buckets.get(le) ?? 0);
    const n = c - prevCum;
    const lo = Number(prevLe) + 1;
    const label = le === '+Inf' ? `> ${prevLe}` : prevLe === '0' ? `≤ ${le}` : lo === Number(le) ? le : `${lo}–${le}`;
    if (n > 0) rows.push([label, n.toLocaleString('en-US'), `${((n / Math.max(count, 1)) * 100).toFixed(1)} %`]);
    prevLe = le;
    prevCum = c;
  }
  printTable(say, rows);
  const commitMs = ((as.sum - bs.sum) / Math.max(as.count - bs.count, 1)) * 1000;
  say(`  ${count.toLocaleString('en-US')} commits for ${records.toLocaleString('en-US')} records: ${(records / Math.max(count, 1)).toFixed(1)} records per commit on average; build+sign+commit ${commitMs.toFixed(2)} ms per batch on average`);
}

function countOutcomes(dbPath, tag) {
  const Database = createRequire(join(SERVICE_DIST, 'service.js'))('better-sqlite3');
  const db = new Database(dbPath, { readonly: true });
  try {
    const n = (phase) => db.prepare("SELECT COUNT(*) AS n FROM records WHERE type = 'outcome' AND request_id LIKE ?").get(`bench-${tag}-${phase}.%`).n;
    return { single: n('single'), batched: n('batched') };
  } finally {
    db.close();
  }
}

function printTable(say, rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  rows.forEach((r, j) => {
    say(`  ${r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')}`);
    if (j === 0) say(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  });
}

// Dispatch last: the classes above must be initialised before main runs.
if (opts.role === 'service') await serveService(opts['data-dir']);
else if (opts.role === 'bare') await serveBare();
else process.exitCode = await main();
