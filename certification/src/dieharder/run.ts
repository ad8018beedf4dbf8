/**
 * @module dieharder/run
 * Runs dieharder as a child process on a live stream or a file, checks and
 * parses its output (parse.ts), and resolves WEAK results.
 *
 * Input: `{ command, args }` — a producer process (typically `rngseal
 * rng-stream …`) whose stdout is piped into `dieharder -g 200` (raw binary
 * on stdin); `{ stream }` — a function returning a fresh Readable per
 * dieharder run; or `{ file }` — `dieharder -g 201 -f FILE`. Every run
 * uses `-s 1`: for a file each test starts again at its first byte, so a
 * run is reproducible (and a rewind, which parse.ts refuses, is the only
 * way to read a byte twice).
 *
 * Resolving WEAK results. dieharder's own `-Y 1` "resolve ambiguity" mode
 * (dieharder/run_test.c, execute_test): after a test, take the most extreme
 * of its final p-values, s = min over its statistics of min(p, 1 − p); stop
 * if s < Xfail (FAILED), if s ≥ Xweak (PASSED) or if Xoff psamples have
 * been reached; otherwise add Xstep = 100 more psamples to the same test
 * and recompute its KS p-values over all of them. Defaults: Xweak = 0.005,
 * Xfail = 1e-6, Xoff = 100000.
 *
 * run.ts applies the same stopping rule, but instead of adding 100
 * psamples at a time it reruns the test with twice the psamples of its
 * last run, up to `resolve.maxPsamples` (default 1600: at most four
 * reruns, 30× the work of a 100-psample test, where -Y 1 may go to
 * 100000). Every attempt is kept in the report. On a file the rerun reads
 * the same prefix plus more (-s 1), so its p-values include the earlier
 * ones exactly as -Y 1's do; on a live stream each rerun is a fresh,
 * independent sample with twice the power. A group still WEAK at the limit
 * stays WEAK ("unresolved"), and a rerun that fails (e.g. a file too small
 * for the doubled psamples) leaves it WEAK with the reason.
 *
 * A "test" for this purpose is one dieharder test run: all rows one test
 * prints (sts_serial prints 30), except the four tests `-a` runs once per
 * ntuple (rgb_bitdist, rgb_minimum_distance, rgb_permutations,
 * rgb_lagged_sum), where each ntuple is rerun alone with `-n`.
 *
 * rgb_bitdist and rgb_minimum_distance asked for without `ntuple` are run
 * once per ntuple as `-a` runs them (1–12, 2–5): without -n dieharder
 * refuses the first and prints a meaningless p = 1 for the second.
 */

import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { type Assessment, checkDieharderOutput, DieharderError, type DieharderResult } from './parse.js';
import { type DieharderTest, testByName, testByNumber } from './tests.js';

export type DieharderInput =
  | { file: string }
  | { command: string; args?: readonly string[] }
  | { stream: () => Readable };

export interface ResolveOptions {
  /** Largest psamples a rerun may use. Default 1600. */
  maxPsamples?: number;
}

export interface DieharderRunOptions {
  /** Test numbers or names, one dieharder run each (`-d`), or 'all' for one `-a` run. */
  tests: readonly (number | string)[] | 'all';
  input: DieharderInput;
  /** `-p`: psamples per test (dieharder ignores it with -a: use `multiply`). */
  psamples?: number;
  /** `-t` */
  tsamples?: number;
  /** `-n` */
  ntuple?: number;
  /** `-m`: multiplies each test's default psamples in an -a run. */
  multiply?: number;
  /** `-W` (default dieharder's 0.005) and `-X` (default 1e-6); the resolution uses the same. */
  weak?: number;
  fail?: number;
  /** WEAK resolution; false to report WEAK as is. Default on, maxPsamples 1600. */
  resolve?: ResolveOptions | false;
  /** dieharder executable. Default `dieharder` on PATH. */
  dieharder?: string;
  /** Further dieharder arguments (not -g -f -d -a -p -s -Y, which run.ts sets). */
  extraArgs?: readonly string[];
  /** Kill dieharder after this long, per run. Default none. */
  timeoutMs?: number;
  /** Called before each dieharder run with its arguments. */
  onRun?: (args: readonly string[]) => void;
  /** Runs dieharder; injectable for tests. Default spawns it. */
  execute?: Executor;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The end of the stream producer's stderr, when there was a producer process. */
  producerStderr?: string;
}

export type Executor = (args: readonly string[], input: DieharderInput, options: { dieharder: string; timeoutMs?: number }) => Promise<ExecResult>;

export interface Attempt {
  args: readonly string[];
  psamples: number;
  results: DieharderResult[];
}

export interface Resolution {
  test: string;
  ntup?: number;
  /** The WEAK original first, then each rerun. */
  attempts: Attempt[];
  /** PASSED or FAILED when resolved; WEAK when not. */
  final: Assessment;
  /** Why it stayed WEAK: the psamples limit, or the error of a rerun. */
  unresolved?: string;
}

export interface FinalResult extends DieharderResult {
  /** Present when this row replaced a WEAK one: how many reruns it took. */
  resolvedAfter?: number;
}

export interface DieharderRunReport {
  /** One row per statistic, WEAK groups replaced by their last attempt. */
  results: FinalResult[];
  resolutions: Resolution[];
  counts: Record<Assessment, number>;
  /** Every final row PASSED. */
  passed: boolean;
  /** dieharder runs made, reruns included. */
  runs: number;
}

const DEFAULT_WEAK = 0.005;
const DEFAULT_FAIL = 1e-6;
const MANAGED = new Set(['-g', '-f', '-d', '-a', '-p', '-s', '-Y']);

export async function runDieharder(options: DieharderRunOptions): Promise<DieharderRunReport> {
  const execute = options.execute ?? spawnDieharder;
  const dieharder = options.dieharder ?? 'dieharder';
  const weak = options.weak ?? DEFAULT_WEAK;
  const fail = options.fail ?? DEFAULT_FAIL;
  const managed = (options.extraArgs ?? []).filter((a) => MANAGED.has(a));
  if (managed.length > 0) throw new RangeError(`extraArgs: ${managed.join(' ')} are set by runDieharder itself`);
  if (options.tests !== 'all' && options.tests.length === 0) throw new RangeError('tests: name at least one test, or "all"');

  const base = [
    ...('file' in options.input ? ['-g', '201', '-f', options.input.file] : ['-g', '200']),
    '-s', '1',
    ...(options.tsamples !== undefined ? ['-t', String(options.tsamples)] : []),
    ...(options.ntuple !== undefined ? ['-n', String(options.ntuple)] : []),
    ...(options.weak !== undefined ? ['-W', String(options.weak)] : []),
    ...(options.fail !== undefined ? ['-X', String(options.fail)] : []),
    ...(options.extraArgs ?? []),
  ];
  let runs = 0;
  const once = async (args: string[], expectRows?: number): Promise<DieharderResult[]> => {
    options.onRun?.(args);
    runs++;
    const r = await execute(args, options.input, { dieharder, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) });
    try {
      return checkDieharderOutput(r.stdout, { stderr: r.stderr, exitCode: r.exitCode, signal: r.signal, ...(expectRows !== undefined && { expectRows }) }).results;
    } catch (err) {
      // A stream that ended early is the producer's story: tell it.
      if (err instanceof DieharderError && r.producerStderr?.trim()) {
        throw new DieharderError(err.kind, `${err.message} (stream producer: ${r.producerStderr.trim().split('\n').slice(-3).join(' / ')})`, err.output);
      }
      throw err;
    }
  };

  const initial: DieharderResult[] = [];
  if (options.tests === 'all') {
    initial.push(...(await once([...base, '-a', ...(options.multiply !== undefined ? ['-m', String(options.multiply)] : [])])));
  } else {
    const ps = options.psamples !== undefined ? ['-p', String(options.psamples)] : [];
    for (const t of options.tests) {
      const test = typeof t === 'number' ? testByNumber(t) : testByName(t);
      const id = test ? String(test.number) : String(t);
      if (test?.needsNtuple && options.ntuple === undefined) {
        for (const n of test.ntuples!) initial.push(...(await once([...base, '-d', id, '-n', String(n), ...ps])));
      } else {
        initial.push(...(await once([...base, '-d', id, ...ps])));
      }
    }
  }

  const groups = groupRows(initial);
  const resolutions: Resolution[] = [];
  const results: FinalResult[] = [];
  for (const group of groups) {
    const verdict = judge(group.rows, weak, fail);
    if (verdict !== 'WEAK' || options.resolve === false) {
      results.push(...group.rows);
      continue;
    }
    const resolution = await resolveGroup(group, options.resolve ?? {}, { base, once, weak, fail });
    resolutions.push(resolution);
    const last = resolution.attempts[resolution.attempts.length - 1]!;
    const reruns = resolution.attempts.length - 1;
    results.push(...last.results.map((r) => (reruns > 0 ? { ...r, resolvedAfter: reruns } : r)));
  }
  const counts: Record<Assessment, number> = { PASSED: 0, WEAK: 0, FAILED: 0 };
  for (const r of results) counts[r.assessment]++;
  return { results, resolutions, counts, passed: counts.WEAK === 0 && counts.FAILED === 0, runs };
}

interface Group {
  test: DieharderTest | undefined;
  name: string;
  ntup?: number;
  rows: DieharderResult[];
}

/** Consecutive rows of one test run (per ntuple for the tests -a runs per ntuple). */
export function groupRows(rows: readonly DieharderResult[]): Group[] {
  const groups: Group[] = [];
  for (const row of rows) {
    const test = testByName(row.test);
    const perNtuple = test?.ntuples !== undefined;
    const last = groups[groups.length - 1];
    if (last && last.name === row.test && (!perNtuple || last.ntup === row.ntup)) last.rows.push(row);
    else groups.push({ test, name: row.test, ...(perNtuple && { ntup: row.ntup }), rows: [row] });
  }
  return groups;
}

/** dieharder's -Y 1 rule on one test run's rows. */
export function judge(rows: readonly DieharderResult[], weak = DEFAULT_WEAK, fail = DEFAULT_FAIL): Assessment {
  const smallest = Math.min(...rows.map((r) => Math.min(r.pvalue, 1 - r.pvalue)));
  if (smallest < fail) return 'FAILED';
  if (smallest >= weak) return 'PASSED';
  return 'WEAK';
}

async function resolveGroup(
  group: Group,
  options: ResolveOptions,
  ctx: { base: string[]; once: (args: string[], expectRows?: number) => Promise<DieharderResult[]>; weak: number; fail: number },
): Promise<Resolution> {
  const maxPsamples = options.maxPsamples ?? 1600;
  const resolution: Resolution = {
    test: group.name,
    ...(group.ntup !== undefined && { ntup: group.ntup }),
    attempts: [{ args: [], psamples: group.rows[0]!.psamples, results: group.rows }],
    final: 'WEAK',
  };
  if (!group.test) {
    resolution.unresolved = `unknown test name ${group.name}: cannot rerun it`;
    return resolution;
  }
  let psamples = group.rows[0]!.psamples;
  for (;;) {
    if (psamples >= maxPsamples) {
      resolution.unresolved = `still WEAK at ${psamples} psamples (limit ${maxPsamples})`;
      return resolution;
    }
    psamples = Math.min(2 * psamples, maxPsamples);
    const args = [...ctx.base, '-d', String(group.test.number), ...(group.ntup !== undefined ? ['-n', String(group.ntup)] : []), '-p', String(psamples)];
    let rows: DieharderResult[];
    try {
      rows = await ctx.once(args, group.rows.length);
    } catch (err) {
      if (!(err instanceof DieharderError)) throw err;
      resolution.unresolved = `rerun with ${psamples} psamples failed: ${err.message}`;
      return resolution;
    }
    resolution.attempts.push({ args, psamples, results: rows });
    const verdict = judge(rows, ctx.weak, ctx.fail);
    if (verdict !== 'WEAK') {
      resolution.final = verdict;
      return resolution;
    }
  }
}

/** Spawns dieharder with `args`, feeding it the input's stream on stdin when there is one. */
export function spawnDieharder(args: readonly string[], input: DieharderInput, options: { dieharder: string; timeoutMs?: number }): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const fromFile = 'file' in input;
    const child = spawn(options.dieharder, args, { stdio: [fromFile ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let producerErr = '';
    let settled = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

    let stopFeed = () => {};
    if (!fromFile) {
      const stdin = child.stdin!;
      stdin.on('error', () => {}); // EPIPE once dieharder has read enough and exits
      if ('command' in input) {
        const producer = spawn(input.command, input.args ?? [], { stdio: ['ignore', 'pipe', 'pipe'] });
        producer.stdout!.on('error', () => {});
        producer.stderr!.setEncoding('utf8').on('data', (d: string) => (producerErr = (producerErr + d).slice(-4000)));
        producer.on('error', (err) => finish(() => reject(new DieharderError('spawn', `cannot start the stream producer ${input.command}: ${err.message}`))));
        producer.stdout!.pipe(stdin);
        stopFeed = () => {
          producer.stdout!.unpipe(stdin);
          if (producer.exitCode === null && producer.signalCode === null) producer.kill('SIGTERM');
        };
      } else {
        const stream = input.stream();
        stream.on('error', () => {});
        stream.pipe(stdin);
        stopFeed = () => {
          stream.unpipe(stdin);
          stream.destroy();
        };
      }
    }

    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      child.kill('SIGKILL');
      finish(() => reject(new DieharderError('timeout', `dieharder ${args.join(' ')} did not finish within ${options.timeoutMs} ms`, { stdout, stderr })));
    }, options.timeoutMs);

    function finish(settle: () => void): void {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      stopFeed();
      settle();
    }
    child.on('error', (err) => finish(() => reject(new DieharderError('spawn', `cannot run ${options.dieharder}: ${err.message}`))));
    child.on('close', (exitCode, signal) => {
      finish(() => resolve({ stdout, stderr, exitCode, signal, ...(producerErr && { producerStderr: producerErr }) }));
    });
  });
}
