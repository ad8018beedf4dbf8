/**
 * @module test/nist-reference
 * Every test compared with sts-2.1.2 outputs (fixtures/sts-generated.json)
 * on deterministic inputs: SHA-256 counter-mode streams of 10^6 bits with
 * default and non-default parameters, small and odd lengths that exercise
 * the not-applicable branches (n = 127, 1000, 12,345, 100,001, 387,839 vs
 * 387,840 for Universal, 999,999), an alternating sequence (too many
 * random-excursion cycles: sts aborts that test) and a biased one (Runs
 * prerequisite fails).
 */

import { describe, expect, it } from 'vitest';
import { runBattery, type TestResult } from '../src/nist/index.js';
import { compareWithReference, loadFixture, makeInput, type ReferenceCase } from './helpers/reference.js';

const fixture = loadFixture<{ reference: string; cases: ReferenceCase[] }>('sts-generated.json');
const byName = new Map(fixture.cases.map((c) => [c.name, c]));

function run(c: ReferenceCase): TestResult[] {
  return runBattery(makeInput(c.input, c.n), { params: c.params });
}

describe(`every test vs ${fixture.reference}`, () => {
  it.each(fixture.cases.map((c) => [`${c.name} (n = ${c.n}${Object.keys(c.params).length ? ', custom params' : ''})`, c] as const))(
    '%s',
    (_label, c) => {
      const problems = run(c).flatMap((r) => compareWithReference(r, c.results[r.name]!));
      expect(problems).toEqual([]);
    },
  );
});

describe('not-applicable branches', () => {
  const get = (name: string, test: string) => run(byName.get(name)!).find((r) => r.name === test)!;

  it('Universal: n = 387,839 is too short (sts writes nothing), n = 387,840 uses L = 6', () => {
    expect(get('n387839', 'Universal').applicable).toEqual([false]);
    expect(get('n387840', 'Universal').applicable).toEqual([true]);
  });
  it('RandomExcursions(Variant): too few cycles → not applicable, p = NaN (sts prints 0.000000)', () => {
    for (const t of ['RandomExcursions', 'RandomExcursionsVariant']) {
      const r = get('n100001', t);
      expect(r.applicable.some(Boolean)).toBe(false);
      expect(r.pvalues.every(Number.isNaN)).toBe(true);
    }
  });
  it('RandomExcursions: more than max(1000, n/100) cycles → sts aborts the test; not applicable', () => {
    const c = byName.get('alt20000')!;
    expect(c.results['RandomExcursions']).toEqual([]);
    expect(get('alt20000', 'RandomExcursions').applicable).toEqual(new Array(8).fill(false));
  });
  it('n = 127: LongestRun (n < 128), Rank, OverlappingTemplate, LinearComplexity, BlockFrequency not applicable', () => {
    const results = run(byName.get('n127')!);
    const na = results.filter((r) => !r.applicable.some(Boolean)).map((r) => r.name);
    expect(na).toEqual([
      'BlockFrequency',
      'LongestRun',
      'Rank',
      'OverlappingTemplate',
      'Universal',
      'RandomExcursions',
      'RandomExcursionsVariant',
      'LinearComplexity',
    ]);
  });
  it('Runs: failed frequency prerequisite is an applicable p = 0 (sts prints 0.000000)', () => {
    const r = get('bias10000', 'Runs');
    expect(r).toEqual({ name: 'Runs', pvalues: [0], applicable: [true] });
  });
});
