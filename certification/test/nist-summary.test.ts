/**
 * @module test/nist-summary
 * The JSON summary's verdicts (passed / applicable from the final analysis),
 * its compact JSON text, and the HTML table's escaping — on synthetic
 * p-values, so each rule is exercised on purpose.
 */

import { describe, expect, it } from 'vitest';
import type { TestResult } from '../src/nist/index.js';
import { compactJson, escapeHtml, summarise, summaryHtml } from '../src/nist/summary.js';

/** 20 sequences; p-values spread evenly over (0, 1) unless given. */
function results(m: number, make: (s: number) => TestResult[]): TestResult[][] {
  return Array.from({ length: m }, (_, s) => make(s));
}
const spread = (s: number, m: number): number => (s + 0.5) / m;
const ok = (name: string, pvalues: number[]): TestResult => ({ name, pvalues, applicable: pvalues.map(() => true) });

describe('summarise', () => {
  const m = 20;
  const perSequence = results(m, (s) => [
    ok('Frequency', [spread(s, m)]),
    ok('BlockFrequency', [0.5]), // all in C6: uniformity P < 0.0001
    ok('CumulativeSums', [spread(s, m), s < 3 ? 0.001 : spread(s, m)]), // 17/20 passing: below sts's minimum 18
    { name: 'Universal', pvalues: [NaN], applicable: [false] },
    // one excursion state never counted, the others fine
    { name: 'RandomExcursions', pvalues: [spread(s, m), 0], applicable: [true, true] },
  ]);
  const summary = summarise(perSequence, { bits: 1000, extra: { note: 'x' } });

  it('decides passed and applicable as documented', () => {
    const by = Object.fromEntries(summary.tests.map((t) => [t.name, t]));
    expect(by['Frequency']).toMatchObject({ passed: true, applicable: true });
    expect(by['BlockFrequency']).toMatchObject({ passed: false, applicable: true });
    expect(by['BlockFrequency']!.uniformity[0]).toBeLessThan(0.0001);
    expect(by['CumulativeSums']).toMatchObject({ passed: false, applicable: true });
    expect(by['CumulativeSums']!.proportion[1]).toEqual({ passing: 17, counted: 20, minPassing: 18, maxPassing: 21 });
    expect(by['Universal']).toMatchObject({ passed: false, applicable: false, uniformity: [null] });
    expect(by['Universal']!.pvalues).toEqual(Array.from({ length: m }, () => [null]));
    expect(by['RandomExcursions']).toMatchObject({ passed: true, applicable: true });
    expect(by['RandomExcursions']!.proportion[1]!.counted).toBe(0);
    expect(summary).toMatchObject({ bits: 1000, sequences: m, alpha: 0.01, note: 'x' });
    expect(summary.tests[0]!.histogram[0]).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
  });

  it('compactJson is JSON with one line per p-value row', () => {
    const text = compactJson(summary);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(summary)));
    expect(text).toContain('\n        [0.025,0.001],\n');
  });

  it('HTML escapes everything and loads nothing', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = summaryHtml(
      summarise(results(2, () => [ok('<img src=x onerror=alert(1)>', [0.5])]), { bits: 8 }),
      'run of </title><script>alert(1)</script>',
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;');
    expect(html).toContain("default-src 'none'");
  });
});
