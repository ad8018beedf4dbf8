/**
 * @module nist/summary
 * A run of the battery over many sequences as one JSON document (what
 * `rngseal certify nist` writes) and as a minimal self-contained HTML table.
 *
 * Verdicts, from analyse() (sts's final analysis, see analysis.ts): a
 * sub-test (one p-value position: a template, an excursion state, …) is
 * *counted* when at least one sequence gave it a p-value (sts's "------"
 * otherwise); a counted sub-test is *ok* when its pass count is within sts's
 * proportion bounds and, where a uniformity P-value exists (m ≥ 10 counted
 * sequences), that P-value is ≥ 0.0001. A test is `applicable` when at least
 * one of its sub-tests is counted, and `passed` when it is applicable and
 * every counted sub-test is ok — i.e. sts's report for it has no '*'.
 */

import type { TestResult } from './bits.js';
import { analyse, type TestAnalysis } from './analysis.js';

/** One sub-test's proportion of passing sequences, as sts's "passing/counted" column. */
export interface SummaryProportion {
  /** Sequences with p ≥ α. */
  passing: number;
  /** Sequences counted (applicable; for the random excursion tests, p > 0 as printed). */
  counted: number;
  /** sts's integer bounds on `passing` (0 when nothing is counted). */
  minPassing: number;
  maxPassing: number;
}

export interface SummaryTest {
  /** Reference name, e.g. "NonOverlappingTemplate". */
  name: string;
  /** pvalues[s][k]: sequence s, sub-test k, in the reference's order; null where not applicable. */
  pvalues: (number | null)[][];
  /** Applicable and no sub-test flagged (see the module comment). */
  passed: boolean;
  /** At least one sub-test had a p-value from at least one sequence. */
  applicable: boolean;
  /** Per sub-test: P-value of the χ² uniformity of its p-values; null when fewer than 10 are counted. */
  uniformity: (number | null)[];
  /** Per sub-test: proportion of passing sequences. */
  proportion: SummaryProportion[];
  /** Per sub-test: counts of p-values in [0, 0.1), [0.1, 0.2), … [0.9, 1] (sts's C1 … C10). */
  histogram: number[][];
}

export interface Summary {
  /** Bits per sequence. */
  bits: number;
  /** Number of sequences. */
  sequences: number;
  /** Significance level (sts: 0.01). */
  alpha: number;
  /** Extra fields given to summarise(), e.g. a digest of the input. */
  [extra: string]: unknown;
  /** One entry per test run, in the reference's order. */
  tests: SummaryTest[];
}

export interface SummariseOptions {
  bits: number;
  alpha?: number;
  /** analyse(perSequence, alpha), if already computed. */
  analysis?: TestAnalysis[];
  /** Fields added to the document after `alpha`. */
  extra?: Record<string, unknown>;
}

/** The summary of `perSequence[s]` = runBattery's results for sequence s. */
export function summarise(perSequence: TestResult[][], options: SummariseOptions): Summary {
  const alpha = options.alpha ?? 0.01;
  const analysis = options.analysis ?? analyse(perSequence, alpha);
  const tests = analysis.map((t): SummaryTest => {
    const pvalues = perSequence.map((results) => {
      const r = results.find((x) => x.name === t.name);
      return r ? r.pvalues.map((p, i) => (r.applicable[i] && !Number.isNaN(p) ? p : null)) : [];
    });
    const counted = t.subtests.filter((s) => s.proportion.applicable);
    const ok = (s: (typeof counted)[number]): boolean => s.proportion.ok && (!s.uniformity.applicable || s.uniformity.ok);
    return {
      name: t.name,
      pvalues,
      passed: counted.length > 0 && counted.every(ok),
      applicable: counted.length > 0,
      uniformity: t.subtests.map((s) => (s.uniformity.applicable ? s.uniformity.pvalue : null)),
      proportion: t.subtests.map((s) => ({
        passing: s.proportion.passed,
        counted: s.proportion.total,
        minPassing: s.proportion.minPassCount,
        maxPassing: s.proportion.maxPassCount,
      })),
      histogram: t.subtests.map((s) => [...s.uniformity.bins]),
    };
  });
  return { bits: options.bits, sequences: perSequence.length, alpha, ...options.extra, tests };
}

/**
 * JSON text of a value with every array or object whose members are all
 * primitives on one line (so a p-value row is one line), two-space indent.
 */
export function compactJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const flat = (v: unknown): boolean => v === null || typeof v !== 'object';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every(flat)) return JSON.stringify(value);
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + compactJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.every(([, v]) => flat(v))) return JSON.stringify(value);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * A self-contained HTML page (no scripts, no external resources) with one
 * row per sub-test, as sts's final analysis report, and a verdict per test.
 */
export function summaryHtml(summary: Summary, title = 'NIST SP 800-22 results'): string {
  const e = escapeHtml;
  const rows: string[] = [];
  for (const t of summary.tests) {
    t.proportion.forEach((p, k) => {
      const u = t.uniformity[k] ?? null;
      const uBad = u !== null && u < 0.0001;
      const pBad = p.counted > 0 && (p.passing < p.minPassing || p.passing > p.maxPassing);
      const cells = (t.histogram[k] ?? []).map((c) => `<td>${e(c)}</td>`).join('');
      rows.push(
        `<tr${uBad || pBad ? ' class="bad"' : ''}>${cells}` +
          `<td>${u === null ? '----' : e(u.toFixed(6)) + (uBad ? ' *' : '')}</td>` +
          `<td>${p.counted === 0 ? '------' : `${e(p.passing)}/${e(p.counted)}${pBad ? ' *' : ''}`}</td>` +
          `<td>${e(t.name)}${t.proportion.length > 1 ? ` #${e(k + 1)}` : ''}</td></tr>`,
      );
    });
  }
  const verdicts = summary.tests
    .map((t) => {
      const v = !t.applicable ? 'not applicable' : t.passed ? 'passed' : 'FAILED';
      return `<tr${t.applicable && !t.passed ? ' class="bad"' : ''}><td>${e(t.name)}</td><td>${e(t.proportion.length)}</td><td>${e(v)}</td></tr>`;
    })
    .join('\n');
  const bins = Array.from({ length: 10 }, (_, i) => `<th>C${i + 1}</th>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${e(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #999; padding: 0.2em 0.5em; text-align: right; }
td:last-child, th:last-child { text-align: left; }
.bad { background: #fdd; }
</style>
</head>
<body>
<h1>${e(title)}</h1>
<p>${e(summary.sequences)} sequences of ${e(summary.bits)} bits, α = ${e(summary.alpha)}.
A row marked * is outside sts-2.1.2's acceptable proportion or has a uniformity P-value below 0.0001.</p>
<h2>Tests</h2>
<table>
<tr><th>test</th><th>sub-tests</th><th>result</th></tr>
${verdicts}
</table>
<h2>Uniformity of p-values and proportion of passing sequences</h2>
<table>
<tr>${bins}<th>P-value</th><th>proportion</th><th>statistical test</th></tr>
${rows.join('\n')}
</table>
</body>
</html>
`;
}
