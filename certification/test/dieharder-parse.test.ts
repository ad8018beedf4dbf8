/**
 * @module test/dieharder-parse
 * The dieharder output parser on real output captured from dieharder
 * 3.31.1 (fixtures/dieharder, made by scripts/dieharder/make-fixtures.sh),
 * including the errors dieharder reports while exiting 0.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkDieharderOutput, DieharderError, parseDieharderTable, testByName } from '../src/dieharder/index.js';

const dir = new URL('./fixtures/dieharder/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as { name: string; status: number; command: string }[];

function fixture(name: string) {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no fixture ${name}`);
  return {
    stdout: readFileSync(new URL(`${name}.stdout`, dir), 'utf8'),
    stderr: readFileSync(new URL(`${name}.stderr`, dir), 'utf8'),
    // bash reports a signal death as 128 + signal number
    exitCode: c.status > 128 ? null : c.status,
    signal: c.status === 139 ? ('SIGSEGV' as const) : null,
  };
}

function check(name: string) {
  const f = fixture(name);
  return checkDieharderOutput(f.stdout, { stderr: f.stderr, exitCode: f.exitCode, signal: f.signal });
}

function errorOf(name: string): DieharderError {
  try {
    check(name);
  } catch (err) {
    if (err instanceof DieharderError) return err;
    throw err;
  }
  throw new Error(`${name}: no error`);
}

describe('dieharder table', () => {
  it('reads a stdin (-g 200) run', () => {
    const out = check('stdin-birthdays');
    expect(out.generator).toBe('stdin_input_raw');
    expect(out.randsPerSecond).toBeGreaterThan(1e5);
    expect(out.results).toHaveLength(1);
    const r = out.results[0]!;
    expect(r).toMatchObject({ test: 'diehard_birthdays', ntup: 0, tsamples: 100, psamples: 10 });
    expect(r.pvalue).toBeGreaterThan(0);
    expect(r.pvalue).toBeLessThan(1);
    expect(['PASSED', 'WEAK', 'FAILED']).toContain(r.assessment);
    expect(Number.isInteger(r.seed)).toBe(true);
  });

  it('reads a file (-g 201) run with the filename column', () => {
    const out = check('file-operm5');
    expect(out.generator).toBe('file_input_raw');
    expect(out.filename).toBe('stream.bin');
    expect(out.results).toMatchObject([{ test: 'diehard_operm5', tsamples: 1000000, psamples: 5 }]);
    expect(check('file-bitdist-n3').results).toMatchObject([{ test: 'rgb_bitdist', ntup: 3 }]);
  });

  it('reads multi-statistic tests, and every assessment follows the 0.005 / 1e-6 two-sided thresholds', () => {
    const serial = check('stdin-sts-serial').results;
    expect(serial).toHaveLength(30); // ntup 1 and 2 once, 3..16 twice
    expect(serial.map((r) => r.ntup)).toEqual([1, 2, ...Array.from({ length: 14 }, (_, i) => [i + 3, i + 3]).flat()]);
    const craps = check('stdin-craps').results;
    expect(craps.map((r) => r.test)).toEqual(['diehard_craps', 'diehard_craps']);
    for (const r of [...serial, ...craps]) {
      const s = Math.min(r.pvalue, 1 - r.pvalue);
      expect(r.assessment, `${r.test} ${r.ntup} p=${r.pvalue}`).toBe(s < 1e-6 ? 'FAILED' : s < 0.005 ? 'WEAK' : 'PASSED');
    }
    // With only 5 psamples many KS p-values sit at the edges: this fixture has WEAK rows.
    expect(serial.some((r) => r.assessment !== 'PASSED')).toBe(true);
  });

  it("reads dieharder's own -Y 1 output: one row per round of added psamples", () => {
    const rows = parseDieharderTable(fixture('stdin-resolve-y1').stdout).results;
    expect(rows.map((r) => r.psamples)).toEqual([20, 120, 220]);
  });

  it('maps the 20-character names back to tests', () => {
    expect(testByName('diehard_count_1s_str')?.number).toBe(8);
    expect(testByName('diehard_count_1s_byt')?.number).toBe(9);
    expect(testByName('rgb_minimum_distance')?.number).toBe(201);
    expect(testByName('no_such')).toBeUndefined();
  });
});

describe('dieharder errors (it exits 0 after most of them)', () => {
  it('unknown test name: exit 1 and "No test found"', () => {
    const e = errorOf('error-unknown-name');
    expect(e.kind).toBe('error');
    expect(e.message).toMatch(/No test found/);
  });

  it('unknown test number: a segmentation fault', () => {
    const e = errorOf('error-unknown-number');
    expect(e.kind).toBe('crash');
    expect(e.message).toMatch(/SIGSEGV/);
  });

  it('missing file and too-small file, reported with exit status 0', () => {
    expect(fixture('error-missing-file').exitCode).toBe(0);
    expect(errorOf('error-missing-file').message).toMatch(/Cannot open does-not-exist\.bin/);
    expect(errorOf('error-small-file').message).toMatch(/too small/);
  });

  it('a rewound file fails even though the table says PASSED', () => {
    const f = fixture('error-rewound');
    expect(parseDieharderTable(f.stdout).results[0]!.assessment).toBe('PASSED');
    const e = errorOf('error-rewound');
    expect(e.kind).toBe('rewound');
    expect(e.message).toMatch(/rewound the input file 15 time/);
  });

  it('a stream that ends early (stdin EOF)', () => {
    const e = errorOf('error-stdin-eof');
    expect(e.kind).toBe('error');
    expect(e.message).toMatch(/stdin_input_raw\(\): Error: EOF/);
  });

  it('no rows, missing rows and unreadable rows', () => {
    const header = fixture('stdin-birthdays').stdout.split('\n').slice(0, 8).join('\n');
    expect(() => checkDieharderOutput(header)).toThrow(expect.objectContaining({ kind: 'no-results' }));
    expect(() => checkDieharderOutput(fixture('stdin-craps').stdout, { expectRows: 3 })).toThrow(expect.objectContaining({ kind: 'missing' }));
    const garbled = fixture('stdin-birthdays').stdout.replace(/PASSED|WEAK|FAILED/, 'MAYBE');
    expect(() => checkDieharderOutput(garbled)).toThrow(/cannot read the result line/);
  });
});
