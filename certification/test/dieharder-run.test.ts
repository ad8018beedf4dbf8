/**
 * @module test/dieharder-run
 * runDieharder: WEAK resolution on faked dieharder output (the stopping
 * rule of -Y 1, psamples doubling, limits, failed reruns, grouping), then a
 * few short real runs of /usr/bin/dieharder on a stream, a file and errors.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DieharderError, judge, runDieharder, type DieharderInput, type ExecResult } from '../src/dieharder/index.js';
import { sha256Stream } from './helpers/reference.js';

const HEADER = `#=============================================================================#
#            dieharder version 3.31.1 Copyright 2003 Robert G. Brown          #
#=============================================================================#
   rng_name    |rands/second|
stdin_input_raw|  6.23e+06  |
#=============================================================================#
        test_name   |ntup| tsamples |psamples|  p-value |Assessment|    Seed  
#=============================================================================#
`;

function assess(p: number): string {
  const s = Math.min(p, 1 - p);
  return s < 1e-6 ? '  FAILED  ' : s < 0.005 ? '   WEAK   ' : '  PASSED  ';
}

/** A dieharder table with one row per [name, ntup, psamples, p]. */
function table(rows: [string, number, number, number][]): string {
  return HEADER + rows.map(([name, ntup, ps, p]) => `${name.padStart(20)}|${String(ntup).padStart(4)}|       100|${String(ps).padStart(8)}|${p.toFixed(8)}|${assess(p)}|1234567890`).join('\n') + '\n';
}

/** An executor that answers each dieharder run from a script and records the arguments. */
function scripted(answers: ((args: readonly string[]) => string | ExecResult)[]) {
  const calls: string[][] = [];
  const execute = async (args: readonly string[]): Promise<ExecResult> => {
    calls.push([...args]);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected dieharder run: ${args.join(' ')}`);
    const out = answer(args);
    return typeof out === 'string' ? { stdout: out, stderr: '', exitCode: 0, signal: null } : out;
  };
  return { calls, execute };
}

const psOf = (args: readonly string[]) => Number(args[args.indexOf('-p') + 1]);
const stream: DieharderInput = { command: 'unused' };

describe('WEAK resolution (faked dieharder)', () => {
  it('applies the -Y 1 rule: two-sided, 0.005 weak, 1e-6 fail', () => {
    const row = (p: number) => ({ test: 't', ntup: 0, tsamples: 1, psamples: 1, pvalue: p, assessment: 'PASSED' as const });
    expect(judge([row(0.5)])).toBe('PASSED');
    expect(judge([row(0.004)])).toBe('WEAK');
    expect(judge([row(0.997)])).toBe('WEAK');
    expect(judge([row(0.9999999)])).toBe('FAILED');
    expect(judge([row(0.3), row(0.001)])).toBe('WEAK'); // the most extreme statistic decides
    expect(judge([row(0.3), row(0.001)], 0.0001)).toBe('PASSED'); // -W
  });

  it('doubles psamples until PASSED and reports every attempt', async () => {
    const fake = scripted([
      () => table([['diehard_birthdays', 0, 100, 0.003]]),
      (a) => table([['diehard_birthdays', 0, psOf(a), 0.9961]]),
      (a) => table([['diehard_birthdays', 0, psOf(a), 0.41]]),
    ]);
    const report = await runDieharder({ tests: [0], input: stream, execute: fake.execute });
    expect(fake.calls.map(psOf)).toEqual([NaN, 200, 400]); // first run: dieharder's default psamples
    expect(fake.calls[1]).toEqual(['-g', '200', '-s', '1', '-d', '0', '-p', '200']);
    expect(report.resolutions).toHaveLength(1);
    expect(report.resolutions[0]!.attempts.map((a) => a.psamples)).toEqual([100, 200, 400]);
    expect(report.resolutions[0]!.final).toBe('PASSED');
    expect(report.results).toMatchObject([{ test: 'diehard_birthdays', psamples: 400, assessment: 'PASSED', resolvedAfter: 2 }]);
    expect(report.passed).toBe(true);
    expect(report.runs).toBe(3);
  });

  it('stops at FAILED', async () => {
    const fake = scripted([
      () => table([['sts_monobit', 1, 100, 0.002]]),
      (a) => table([['sts_monobit', 1, psOf(a), 2e-8]]),
    ]);
    const report = await runDieharder({ tests: ['sts_monobit'], input: { file: 'x.bin' }, execute: fake.execute });
    expect(fake.calls[0]).toEqual(['-g', '201', '-f', 'x.bin', '-s', '1', '-d', '100']);
    expect(report.resolutions[0]!.final).toBe('FAILED');
    expect(report.counts).toEqual({ PASSED: 0, WEAK: 0, FAILED: 1 });
    expect(report.passed).toBe(false);
  });

  it('gives up at the psamples limit and leaves the test WEAK', async () => {
    const fake = scripted([
      () => table([['diehard_runs', 0, 100, 0.5], ['diehard_runs', 0, 100, 0.001]]),
      (a) => table([['diehard_runs', 0, psOf(a), 0.5], ['diehard_runs', 0, psOf(a), 0.002]]),
      (a) => table([['diehard_runs', 0, psOf(a), 0.4], ['diehard_runs', 0, psOf(a), 0.003]]),
    ]);
    const report = await runDieharder({ tests: [15], input: stream, resolve: { maxPsamples: 300 }, execute: fake.execute });
    expect(fake.calls.slice(1).map(psOf)).toEqual([200, 300]);
    expect(report.resolutions[0]).toMatchObject({ final: 'WEAK', unresolved: 'still WEAK at 300 psamples (limit 300)' });
    expect(report.counts).toEqual({ PASSED: 1, WEAK: 1, FAILED: 0 });
  });

  it('records a rerun that dieharder could not do (file rewound) and carries on', async () => {
    const fake = scripted([
      () => table([['diehard_birthdays', 0, 100, 0.003]]),
      () => table([['diehard_operm5', 0, 100, 0.6]]),
      () => ({ stdout: table([['diehard_birthdays', 0, 200, 0.2]]), stderr: '# The file file_input_raw was rewound 3 times\n', exitCode: 0, signal: null }),
    ]);
    // The order: test 0, test 1, then the rerun of test 0 (after all first runs).
    const r = await runDieharder({ tests: [0, 1], input: { file: 'small.bin' }, execute: fake.execute });
    expect(fake.calls.map((c) => c[c.indexOf('-d') + 1])).toEqual(['0', '1', '0']);
    expect(r.resolutions[0]!.unresolved).toMatch(/rerun with 200 psamples failed: dieharder rewound the input file 3 time/);
    expect(r.counts).toEqual({ PASSED: 1, WEAK: 1, FAILED: 0 });
  });

  it('reruns a multi-statistic test whole, and an -a ntuple test alone with -n', async () => {
    const serial = (p: number, ps: number): [string, number, number, number][] =>
      [1, 2, 3, 3].map((n, i) => ['sts_serial', n, ps, i === 2 ? p : 0.5]);
    const fake = scripted([
      () => table([...serial(0.004, 100), ['rgb_bitdist', 1, 100, 0.5], ['rgb_bitdist', 2, 100, 0.999], ['rgb_bitdist', 3, 100, 0.5]]),
      (a) => table(serial(0.3, psOf(a))),
      (a) => table([['rgb_bitdist', 2, psOf(a), 0.6]]),
    ]);
    const report = await runDieharder({ tests: 'all', input: stream, multiply: 1, execute: fake.execute });
    expect(fake.calls[0]).toEqual(['-g', '200', '-s', '1', '-a', '-m', '1']);
    expect(fake.calls[1]!.slice(-4)).toEqual(['-d', '102', '-p', '200']);
    expect(fake.calls[2]!.slice(-6)).toEqual(['-d', '200', '-n', '2', '-p', '200']);
    expect(report.results).toHaveLength(7);
    expect(report.resolutions.map((r) => [r.test, r.ntup, r.final])).toEqual([['sts_serial', undefined, 'PASSED'], ['rgb_bitdist', 2, 'PASSED']]);
    expect(report.passed).toBe(true);
  });

  it('runs rgb_bitdist and rgb_minimum_distance once per ntuple when none is given', async () => {
    const fake = scripted([2, 3, 4, 5].map((n) => (a: readonly string[]) => table([['rgb_minimum_distance', n, psOf(a), 0.5]])));
    const report = await runDieharder({ tests: [201], psamples: 10, input: stream, execute: fake.execute });
    expect(fake.calls.map((c) => c.slice(-6).join(' '))).toEqual([2, 3, 4, 5].map((n) => `-d 201 -n ${n} -p 10`));
    expect(report.results.map((r) => r.ntup)).toEqual([2, 3, 4, 5]);
    const one = scripted([(a) => table([['rgb_bitdist', 7, psOf(a), 0.5]])]);
    await runDieharder({ tests: [200], ntuple: 7, psamples: 10, input: stream, execute: one.execute });
    expect(one.calls[0]).toEqual(['-g', '200', '-s', '1', '-n', '7', '-d', '200', '-p', '10']);
  });

  it('refuses arguments it manages, and a first run that errs', async () => {
    await expect(runDieharder({ tests: [0], input: stream, extraArgs: ['-Y', '1'], execute: scripted([]).execute })).rejects.toThrow(/-Y are set by runDieharder/);
    const fake = scripted([() => ({ stdout: '', stderr: '# stdin_input_raw(): Error: EOF\n', exitCode: 0, signal: null, producerStderr: 'rngseal: entropy source sim: not healthy\n' })]);
    const err = await runDieharder({ tests: [0], input: stream, execute: fake.execute }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DieharderError);
    expect((err as Error).message).toMatch(/Error: EOF.*stream producer: rngseal: entropy source sim: not healthy/);
  });
});

describe('real dieharder runs', () => {
  const script = fileURLToPath(new URL('../../scripts/dieharder/sha256-stream.mjs', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'rngseal-dieharder-'));
  const file = join(dir, 'stream.bin');
  writeFileSync(file, sha256Stream('run-test', 8 << 20)); // sts_monobit reads ~0.4 MB per psample
  writeFileSync(join(dir, 'small.bin'), sha256Stream('small', 100_000));

  it('a live stream from a producer process (-g 200)', async () => {
    const report = await runDieharder({ tests: [0], psamples: 10, input: { command: process.execPath, args: [script, '--seed', 'run'] }, resolve: false, timeoutMs: 20_000 });
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ test: 'diehard_birthdays', psamples: 10 });
  });

  it('a file (-g 201), resolving forced WEAK results by real reruns', async () => {
    // -W 0.45 makes nearly every result WEAK, so the reruns really happen: 5 → 10 → 20 psamples.
    const runs: string[][] = [];
    const report = await runDieharder({
      tests: [100], psamples: 5, input: { file }, weak: 0.45, resolve: { maxPsamples: 20 }, timeoutMs: 20_000,
      onRun: (args) => runs.push([...args]),
    });
    expect(runs[0]).toEqual(['-g', '201', '-f', file, '-s', '1', '-W', '0.45', '-d', '100', '-p', '5']);
    const attempts = report.resolutions[0]?.attempts.map((a) => a.psamples) ?? [5];
    expect([5, 10, 20].slice(0, attempts.length)).toEqual(attempts);
    expect(report.results[0]!.test).toBe('sts_monobit');
  });

  it('fails loudly on an unknown test and on a rewound file', async () => {
    await expect(runDieharder({ tests: ['no_such_test'], input: { file } })).rejects.toThrow(/No test found/);
    const rewound = await runDieharder({ tests: [0], psamples: 10, input: { file: join(dir, 'small.bin') }, resolve: false }).catch((e: unknown) => e);
    expect(rewound).toMatchObject({ kind: 'rewound' });
    await expect(runDieharder({ tests: [0], input: { file }, dieharder: '/nonexistent/dieharder' })).rejects.toMatchObject({ kind: 'spawn' });
  });

  it('run-file.sh warns before a file is rewound, fails the run that was, and passes a big enough file', () => {
    const wrapper = fileURLToPath(new URL('../../scripts/dieharder/run-file.sh', import.meta.url));
    const small = spawnSync('bash', [wrapper, join(dir, 'small.bin'), '-d', '0', '-p', '10'], { encoding: 'utf8' });
    expect(small.status).toBe(3);
    expect(small.stderr).toMatch(/WARNING: .*small\.bin holds 100000 bytes, but these tests read more and will REWIND/);
    expect(small.stderr).toMatch(/\d+ bytes {2}diehard_birthdays \(10 psamples\)/);
    expect(small.stderr).toMatch(/ERROR \(-d 0 -p 10\): the file was REWOUND/);
    const big = spawnSync('bash', [wrapper, file, '-d', '100', '-p', '10'], { encoding: 'utf8' });
    expect(big.stderr).not.toMatch(/WARNING|ERROR/);
    expect(big.stdout).toMatch(/sts_monobit\|/);
    expect([0, 4]).toContain(big.status);
  });
});
