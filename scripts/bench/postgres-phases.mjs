/**
 * The PostgreSQL phases of the service benchmark (scripts/bench/service.mjs;
 * docs/scale.md). The real service, as children of the benchmark, on one
 * fresh database created next to --pg (and dropped after, unless --keep),
 * with the same requests, connections and durations as the SQLite phases:
 *
 *   pg-single     POST /v1/outcome on one instance: req/s, p50, p99
 *   pg-batched    POST /v1/outcomes (1,000 draws) on one instance: durable outcomes/s
 *   pg-batched-2  the same on two instances at once (each its own chain, one
 *                 database, the same key): their sum, and its ratio to one
 *
 * Each 2xx is sent only after the batch's COMMIT returned (synchronous_commit
 * on); after the run the outcome records are counted in the database.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const PG_PHASES = ['pg-single', 'pg-batched', 'pg-batched-2'];

/**
 * @param o.adminUrl postgres:// URL of a role that may CREATE DATABASE
 * @param o.load, o.measure, o.Child, o.results: service.mjs's own helpers, so every phase is measured alike
 * @returns { ok, report(say, fmt), targets(say, fmt, verdict) } — ok false when a 2xx is missing from the store or a two-instance request failed
 */
export async function postgresPhases(o) {
  const pg = createRequire(join(o.serviceDist, 'service.js'))('pg');
  const database = `rngseal_bench_${o.tag}`;
  const url = new URL(o.adminUrl);
  url.pathname = `/${database}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: o.adminUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${database}`);
  const dirs = [mkdtempSync(join(o.tmp, 'rngseal-bench-pg-')), mkdtempSync(join(o.tmp, 'rngseal-bench-pg-'))];
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  o.say(`  PostgreSQL phases on ${where} (fresh database), synchronous_commit on; instances share it and the signing key`);

  const started = [];
  const start = async (i) => {
    const key = join(dirs[0], 'signing-key.pem');
    const child = await o.Child.start('service', ['--data-dir', dirs[i], '--store', url.href, ...(i > 0 ? ['--key', key] : [])]);
    started.push(child);
    return child;
  };
  try {
    const first = await start(0);
    const auth = { authorization: `Bearer ${readFileSync(join(dirs[0], 'game-server.token'), 'utf8').trim()}` };
    const drawsJson = JSON.stringify(Array.from({ length: o.batchDraws }, () => o.draw));
    const single = (svc) => o.load(svc.url, '/v1/outcome', auth, (id) => JSON.stringify({ requestId: id, ...o.draw }));
    const batched = (svc) => o.load(svc.url, '/v1/outcomes', auth, (id) => `{"requestId":${JSON.stringify(id)},"draws":${drawsJson}}`);

    if (o.phases.has('pg-single')) await o.measure('pg-single', first, single(first), 1);
    if (o.phases.has('pg-batched')) await o.measure('pg-batched', first, batched(first), o.batchDraws);
    if (o.phases.has('pg-batched-2')) {
      const second = await start(1);
      await measurePair(o, 'pg-batched-2', [first, second], [batched(first), batched(second)], o.batchDraws);
    }
    for (const child of started.splice(0)) await child.stop();

    // Every 2xx answer must be a durable record.
    const stored = {};
    const inDb = new pg.Client({ connectionString: url.href });
    await inDb.connect();
    try {
      for (const phase of PG_PHASES) {
        const { rows } = await inDb.query("SELECT COUNT(*)::int AS n FROM records WHERE type = 'outcome' AND request_id LIKE $1", [`bench-${o.tag}-${phase}.%`]);
        stored[phase] = rows[0].n;
      }
    } finally {
      await inDb.end();
    }
    const checks = PG_PHASES.filter((p) => o.results[p]).map((p) => ({ phase: p, stored: stored[p], answered: o.results[p].ok }));
    const pair = o.results['pg-batched-2'];
    const ok = checks.every((c) => c.stored >= c.answered) && !(pair && (pair.non2xx || pair.errors || pair.timeouts));
    return {
      ok,
      report(say, fmt) {
        say(`  PostgreSQL outcome records stored: ${checks.map((c) => `${c.phase} ${fmt(c.stored)} (≥ ${fmt(c.answered)} measured 2xx)`).join(', ')} → ${ok ? 'ok' : 'SHORT'}`);
      },
      targets(say, fmt, verdict) {
        const one = o.results['pg-batched'];
        const two = o.results['pg-batched-2'];
        const s = o.results['pg-single'];
        if (s) say(`  PostgreSQL single-outcome, one instance: ${fmt(s.reqPerSec)} req/s, p50 ${fmt(s.p50, 1)} ms, p99 ${fmt(s.p99, 1)} ms`);
        if (one) say(`  PostgreSQL batched durable outcomes/s, one instance ≥ ${fmt(o.target)}: ${fmt(one.outcomesPerSec)}  ${verdict(one.outcomesPerSec >= o.target)}`);
        if (two) say(`  PostgreSQL batched durable outcomes/s, two instances together: ${fmt(two.outcomesPerSec)}${one ? ` = ${(two.outcomesPerSec / one.outcomesPerSec).toFixed(2)} × one instance` : ''}`);
      },
    };
  } finally {
    for (const child of started) await child.stop().catch(() => {});
    if (!o.keep) {
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }
}

/** Both instances loaded at once, each by its own autocannon run with the phase's connections; one row for the sum. */
async function measurePair(o, name, children, runs, outcomesPerReq) {
  process.stdout.write(`  ${name}: warm-up… `);
  await Promise.all(runs.map((run) => run(`${name}-warmup`, o.warmup)));
  await Promise.all(children.map((c) => c.mark()));
  process.stdout.write('measuring… ');
  const clientCpu = process.cpuUsage();
  const rs = await Promise.all(runs.map((run) => run(name, o.duration)));
  const c = process.cpuUsage(clientCpu);
  const usage = await Promise.all(children.map((child) => child.probe()));
  const seconds = Math.max(...rs.map((r) => r.duration));
  const ok = rs.reduce((n, r) => n + r['2xx'], 0);
  const row = {
    phase: name,
    reqPerSec: ok / seconds,
    outcomesPerSec: (ok * outcomesPerReq) / seconds,
    // Percentiles do not add up: the worse instance's.
    p50: Math.max(...rs.map((r) => r.latency.p50)),
    p99: Math.max(...rs.map((r) => r.latency.p99)),
    max: Math.max(...rs.map((r) => r.latency.max)),
    ok,
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    timeouts: rs.reduce((n, r) => n + r.timeouts, 0),
    serverCpu: usage.reduce((n, u) => n + u.cpu, 0),
    serverElu: Math.max(...usage.map((u) => u.elu)),
    clientCpu: (c.user + c.system) / 1e6 / seconds,
  };
  o.results[name] = row;
  process.stdout.write(`${Math.round(row.reqPerSec)} req/s (both), p99 ${row.p99} ms (worse of the two), server CPU ${(row.serverCpu * 100).toFixed(0)} % (sum)\n`);
  return row;
}
