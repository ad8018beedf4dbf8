/**
 * @module test/certify-cli
 * `rngseal certify nist` as a lab runs it: the compiled CLI (run `npx tsc -b`
 * first, as `npm test` does) on small SHA-256 files, binary and the same
 * bits as ASCII, against runBattery on the main thread; flag errors and
 * exit codes.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBattery, stsBinaryBitstreams, TEST_NAMES, unpackBits } from '../src/nist/index.js';
import type { Summary } from '../src/nist/summary.js';
import { sha256Stream } from './helpers/reference.js';

const BIN = fileURLToPath(new URL('../../rng-service/bin/rngseal.js', import.meta.url));
const COMPILED = fileURLToPath(new URL('../../rng-service/dist/commands/certify.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion (as rng-service/test/helper.ts's runCli). */
function runCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Bits as sts's ASCII format, with line breaks (which sts and the CLI skip). */
function ascii(bits: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bits.length; i++) s += (bits[i] ? '1' : '0') + (i % 1000 === 999 ? '\n' : '');
  return s;
}

/** runBattery's p-values as the CLI writes them: [test][sequence][sub-test], null where not applicable. */
function expected(sequences: Uint8Array[], tests?: string[]): Record<string, (number | null)[][]> {
  const out: Record<string, (number | null)[][]> = {};
  for (const seq of sequences) {
    for (const r of runBattery(seq, tests ? { tests } : {})) {
      (out[r.name] ??= []).push(r.pvalues.map((p, i) => (r.applicable[i] ? p : null)));
    }
  }
  return out;
}

function pvaluesOf(summary: Summary): Record<string, (number | null)[][]> {
  return Object.fromEntries(summary.tests.map((t) => [t.name, t.pvalues]));
}

const N = 100_000;
const M = 4;
let dir: string;
let binFile: string;
let txtFile: string;
let bits: Uint8Array;

beforeAll(() => {
  if (!existsSync(COMPILED)) throw new Error(`${COMPILED} is missing: run \`npx tsc -b\` first`);
  dir = mkdtempSync(join(tmpdir(), 'rngseal-certify-'));
  const bytes = sha256Stream('certify-cli', (M * N) / 8);
  bits = unpackBits(bytes);
  binFile = join(dir, 'sha.bin');
  txtFile = join(dir, 'sha.txt');
  writeFileSync(binFile, bytes);
  writeFileSync(txtFile, ascii(bits));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rngseal certify nist', () => {
  it('binary and ASCII input give identical JSON, equal to runBattery; the report is printed; HTML is self-contained', async () => {
    const common = ['--bits', String(N), '--sequences', String(M), '--threads', '2'];
    const [bin, txt] = await Promise.all([
      runCli(['certify', 'nist', '--input', binFile, '--format', 'binary', ...common, '--json', join(dir, 'bin.json'), '--html', join(dir, 'r.html')]),
      runCli(['certify', 'nist', '--input', txtFile, '--format', 'ascii', ...common, '--json', join(dir, 'txt.json')]),
    ]);
    expect(bin.code, bin.stderr).toBe(0);
    expect(txt.code, txt.stderr).toBe(0);
    expect(bin.stderr).toBe(''); // no progress bar when stderr is not a terminal
    const json = readFileSync(join(dir, 'bin.json'), 'utf8');
    expect(readFileSync(join(dir, 'txt.json'), 'utf8')).toBe(json);

    const summary = JSON.parse(json) as Summary;
    expect(summary).toMatchObject({ bits: N, sequences: M, alpha: 0.01 });
    expect(summary.tests.map((t) => t.name)).toEqual(TEST_NAMES);
    const sequences = Array.from({ length: M }, (_, s) => bits.subarray(s * N, (s + 1) * N));
    expect(pvaluesOf(summary)).toEqual(expected(sequences));
    const universal = summary.tests.find((t) => t.name === 'Universal')!; // needs n ≥ 387,840
    expect(universal).toMatchObject({ applicable: false, passed: false });
    for (const t of summary.tests.filter((x) => x.name !== 'Universal')) {
      expect(t.applicable, t.name).toBe(true);
      expect(t.uniformity.every((u) => u === null), t.name).toBe(true); // fewer than 10 sequences
    }

    expect(bin.stdout).toContain('RESULTS FOR THE UNIFORMITY OF P-VALUES AND THE PROPORTION OF PASSING SEQUENCES');
    expect(bin.stdout).toContain(`generator is <${binFile}>`);
    expect(bin.stdout).toMatch(/\d+ of 15 tests passed/);
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('NonOverlappingTemplate');
    expect(html).not.toMatch(/<script|<link|src=|https?:/i);
  });

  it('--tests limits the output; without --json the JSON goes to stdout and the report to stderr', async () => {
    const { code, stdout, stderr } = await runCli(
      ['certify', 'nist', '--input', binFile, '--format', 'binary', '--bits', String(N), '--sequences', '2', '--tests', 'frequency,Runs'],
    );
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout) as Summary;
    expect(summary.tests.map((t) => t.name)).toEqual(['Frequency', 'Runs']);
    expect(pvaluesOf(summary)).toEqual(expected([bits.subarray(0, N), bits.subarray(N, 2 * N)], ['Frequency', 'Runs']));
    expect(stderr).toContain('STATISTICAL TEST');
    expect(stderr).not.toContain('BlockFrequency');
  });

  it('reads binary files as sts does when N is not a multiple of 32, and the same bits as ASCII', async () => {
    const n = 1001;
    const bytes = readFileSync(binFile);
    const sequences = stsBinaryBitstreams(bytes, n, 3); // each starts on a new 4-byte word
    const asciiFile = join(dir, 'odd.txt');
    writeFileSync(asciiFile, sequences.map(ascii).join('\n'));
    const args = ['--bits', String(n), '--sequences', '3', '--tests', 'Frequency,CumulativeSums,Serial'];
    const [b, a] = await Promise.all([
      runCli(['certify', 'nist', '--input', binFile, '--format', 'binary', ...args]),
      runCli(['certify', 'nist', '--input', asciiFile, '--format', 'ascii', ...args]),
    ]);
    expect(b.code, b.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(pvaluesOf(JSON.parse(b.stdout) as Summary)).toEqual(expected(sequences, ['Frequency', 'CumulativeSums', 'Serial']));
  });

  it('bad flags exit 2 naming the flag', async () => {
    const base = ['certify', 'nist', '--input', binFile, '--format', 'binary', '--bits', '1000', '--sequences', '2'];
    const cases: [string[], string][] = [
      [[...base.slice(0, 6), '--bits', '1e6', '--sequences', '2'], '--bits: must be an integer from 1 to'],
      [[...base.slice(0, 6), '--bits', '0', '--sequences', '2'], '--bits: must be an integer from 1 to'],
      [[...base.slice(0, 8), '--sequences', 'many'], '--sequences: must be an integer'],
      [[...base.slice(0, 4), '--format', 'hex', ...base.slice(6)], '--format: must be binary or ascii, got "hex"'],
      [[...base.slice(0, 4), ...base.slice(6)], '--format: required'],
      [['certify', 'nist', ...base.slice(4)], '--input: required'],
      [[...base, '--tests', 'Frequency,Nope'], '--tests: unknown test "Nope"'],
      [[...base, '--threads', '0'], '--threads: must be an integer'],
      [[...base, '--colour'], "'--colour'"],
      [['certify', 'dieharder', ...base.slice(2)], 'unknown battery "dieharder"'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(args)));
    runs.forEach((r, i) => {
      const [args, message] = cases[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr).toContain('usage: rngseal certify nist');
      expect(r.stdout).toBe('');
    });
  });

  it('input too short for M × N bits exits 1 naming the numbers', async () => {
    const [b, a, missing] = await Promise.all([
      runCli(['certify', 'nist', '--input', binFile, '--format', 'binary', '--bits', String(N), '--sequences', '5']),
      runCli(['certify', 'nist', '--input', txtFile, '--format', 'ascii', '--bits', String(N + 1), '--sequences', '4']),
      runCli(['certify', 'nist', '--input', join(dir, 'nope.bin'), '--format', 'binary', '--bits', '100', '--sequences', '1']),
    ]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain(`${binFile}: 50000 bytes hold 4 sequences of 100000 bits (12500 bytes each, as sts reads them); --sequences 5 × --bits 100000 needs 62500 bytes`);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain(`${txtFile}: holds 400000 bits ('0'/'1' characters); --sequences 4 × --bits 100001 needs 400004`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--input');
    expect(missing.stderr).toContain('ENOENT');
  });

  it('an ASCII file with other characters exits 1 with the offset, unless they come after the bits tested', async () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '0101 1100\n01x1');
    const args = ['certify', 'nist', '--input', file, '--format', 'ascii', '--sequences', '1', '--tests', 'Frequency'];
    const [bad, ok] = await Promise.all([runCli([...args, '--bits', '11']), runCli([...args, '--bits', '10'])]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`--input ${file}: not a file of '0'/'1' characters: byte "x" at offset 12`);
    expect(ok.code, ok.stderr).toBe(0);
  });
});
