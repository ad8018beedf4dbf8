#!/usr/bin/env node
/**
 * dieharder through certification/src/dieharder/run.ts: runs the tests,
 * refuses output dieharder printed an error into, and resolves WEAK results
 * by rerunning with doubled psamples (dieharder's -Y 1 rule, see run.ts and
 * docs/dieharder.md). Needs the compiled package: `npx tsc -b` first.
 *
 *   node scripts/dieharder/run.mjs --stream 'node rng-service/bin/rngseal.js rng-stream --source hwrng --stage conditioned --quiet' -d 0 -d 1
 *   node scripts/dieharder/run.mjs --file capture.bin -d 100 -p 100 --json report.json
 *
 * Exit status as run-stream.sh / run-file.sh: 0 all PASSED, 1 FAILED,
 * 2 usage, 3 error, 4 WEAK left unresolved (and no FAILED).
 */

import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `usage: node scripts/dieharder/run.mjs (--stream 'COMMAND' | --file FILE) (-d N … | -a) [options]
  --stream CMD        shell command writing the stream to stdout (piped to dieharder -g 200)
  --file FILE         dieharder -g 201 -f FILE
  -d N                test number or name (repeatable); -a all tests
  -p N, -t N, -n N, -m N, -W X, -X X    as dieharder's options
  --max-psamples N    WEAK resolution stops doubling at N psamples (default 1600)
  --no-resolve        report WEAK results as they are
  --timeout S         kill a dieharder run after S seconds
  --json FILE         write the full report (every attempt) as JSON`;

const dist = new URL('../../certification/dist/dieharder/index.js', import.meta.url);
if (!existsSync(dist)) {
  process.stderr.write('certification/dist is missing: run `npx tsc -b` first.\n');
  process.exit(2);
}
const { runDieharder, DieharderError } = await import(dist);

let parsed;
try {
  parsed = parseArgs({
    options: {
      stream: { type: 'string' }, file: { type: 'string' },
      d: { type: 'string', short: 'd', multiple: true }, a: { type: 'boolean', short: 'a' },
      p: { type: 'string', short: 'p' }, t: { type: 'string', short: 't' }, n: { type: 'string', short: 'n' },
      m: { type: 'string', short: 'm' }, W: { type: 'string', short: 'W' }, X: { type: 'string', short: 'X' },
      'max-psamples': { type: 'string' }, 'no-resolve': { type: 'boolean' }, timeout: { type: 'string' },
      json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  process.stderr.write(`run.mjs: ${err.message}\n${USAGE}\n`);
  process.exit(2);
}
const v = parsed.values;
if (v.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const fail = (m) => {
  process.stderr.write(`run.mjs: ${m}\n${USAGE}\n`);
  process.exit(2);
};
if (Boolean(v.stream) === Boolean(v.file)) fail('give --stream COMMAND or --file FILE');
if (Boolean(v.a) === Boolean(v.d?.length)) fail('name tests with -d N (repeatable) or -a');
const num = (s, flag) => {
  if (s === undefined) return undefined;
  const x = Number(s);
  if (!Number.isFinite(x)) fail(`${flag}: not a number: ${s}`);
  return x;
};

const options = {
  tests: v.a ? 'all' : v.d.map((t) => (/^\d+$/.test(t) ? Number(t) : t)),
  input: v.file ? { file: v.file } : { command: 'bash', args: ['-c', v.stream] },
  psamples: num(v.p, '-p'), tsamples: num(v.t, '-t'), ntuple: num(v.n, '-n'), multiply: num(v.m, '-m'),
  weak: num(v.W, '-W'), fail: num(v.X, '-X'),
  resolve: v['no-resolve'] ? false : { maxPsamples: num(v['max-psamples'], '--max-psamples') ?? 1600 },
  timeoutMs: v.timeout === undefined ? undefined : num(v.timeout, '--timeout') * 1000,
  onRun: (args) => process.stderr.write(`# dieharder ${args.join(' ')}\n`),
};
for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];

let report;
try {
  report = await runDieharder(options);
} catch (err) {
  if (!(err instanceof DieharderError)) throw err;
  process.stderr.write(`ERROR (${err.kind}): ${err.message}\n`);
  if (err.output?.stderr) process.stderr.write(err.output.stderr);
  process.exit(3);
}

const line = (r) => `${r.test.padStart(20)}|${String(r.ntup).padStart(4)}|${String(r.tsamples).padStart(10)}|${String(r.psamples).padStart(8)}|${r.pvalue.toFixed(8)}|${r.assessment.padStart(8).padEnd(10)}|${r.resolvedAfter ? ` resolved after ${r.resolvedAfter} rerun(s)` : ''}`;
process.stdout.write('        test_name   |ntup| tsamples |psamples|  p-value |Assessment|\n');
for (const r of report.results) process.stdout.write(`${line(r)}\n`);
for (const res of report.resolutions) {
  const trail = res.attempts.map((a) => `${a.psamples}: ${a.results.map((r) => r.pvalue.toFixed(6)).join(' ')}`).join(' → ');
  process.stdout.write(`# WEAK ${res.test}${res.ntup !== undefined ? ` -n ${res.ntup}` : ''} → ${res.final}${res.unresolved ? ` (${res.unresolved})` : ''}; psamples: p-values ${trail}\n`);
}
const c = report.counts;
process.stdout.write(`# ${c.PASSED} PASSED, ${c.WEAK} WEAK, ${c.FAILED} FAILED in ${report.runs} dieharder run(s)\n`);
if (v.json) writeFileSync(v.json, `${JSON.stringify(report, null, 2)}\n`);
process.exit(c.FAILED ? 1 : c.WEAK ? 4 : 0);
