/**
 * @module test/report-html
 * The lab report page: self-contained (only an allow-list of elements, no
 * event-handler or URL attributes, nothing fetched), every text from the
 * inputs escaped wherever it lands (cells, captions, SVG titles and
 * labels), and the plots and tables the model asks for.
 */

import { describe, expect, it } from 'vitest';
import { buildLabReport, labReportHtml, shellQuote, type InputDocument } from '../src/report/index.js';
import { captureManifest, dieharderReport, document, nistSummary, outcomesDocument, SOFTWARE } from './helpers/report-documents.js';

const ELEMENTS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'h4', 'p', 'ul', 'li', 'section', 'dl', 'dt', 'dd', 'table', 'tr', 'th', 'td',
  'code', 'span', 'b', 'small', 'br', 'figure', 'figcaption', 'div', 'svg', 'rect', 'line', 'text', 'circle',
]);

/** Element names used in the page, outside the style sheet. */
function elements(html: string): Set<string> {
  const body = html.replace(/<style>[\s\S]*?<\/style>/, '');
  return new Set([...body.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => m[1]!.toLowerCase()));
}

const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;

async function documents(): Promise<InputDocument[]> {
  const nist = nistSummary();
  return [
    document('capture', 'drbg.bin.json', captureManifest(nist.bytes)),
    document('nist', 'nist.json', nist.json),
    document('dieharder', 'dieharder.json', await dieharderReport()),
    document('outcomes', 'outcomes.json', outcomesDocument().json),
  ];
}

const render = (docs: InputDocument[], title?: string) =>
  labReportHtml(buildLabReport({ ...(title !== undefined && { title }), generated: '2025-03-01T12:00:00Z', software: SOFTWARE, command: ['rngseal', 'certify', 'report'], documents: docs }));

describe('the lab report page', () => {
  it('is self-contained: allowed elements only, no URL or handler attributes, a CSP that forbids fetching', async () => {
    const html = render(await documents());
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect([...elements(html)].filter((e) => !ELEMENTS.has(e))).toEqual([]);
    expect(html).not.toMatch(/<[^>]*\s(on\w+|src|href|xlink:href|srcset|action|data)=/i);
    expect(html).not.toMatch(/https?:|url\(|@import|@font-face/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain('@media print');
  });

  it('has a histogram of ten bars per applicable NIST test and a point per counted sub-test', async () => {
    const html = render(await documents());
    // Frequency (1 sub-test), CumulativeSums (2), Runs (1) apply to 4096-bit sequences; Universal does not.
    expect(count(html, /<svg class="histogram"/g)).toBe(3);
    expect(count(html, /<rect class="bar"/g)).toBe(30);
    expect(count(html, /<svg class="proportion"/g)).toBe(1);
    expect(count(html, /<circle class="point/g)).toBe(4);
    expect(html).toMatch(/<tr class="">(<td[^>]*>[^<]*<\/td>){5}<td class="na">not applicable<\/td><\/tr>/); // the Universal row
    expect(html).toContain('<td>sts_serial</td>');
    expect(html).toContain('<td class="num">0.89240588</td>'); // birthdays' p-value, as dieharder printed it
    expect(html).toContain('sim: simulator (deterministic SHA-256 stream, NOT random): seed=1 (path seed=1, 8-bit samples');
    expect(html).toContain('rngseal capture --source sim:seed=1 --stage conditioned');
  });

  it('escapes every text from the inputs, wherever it lands', async () => {
    const [capture, nist, dieharder, outcomes] = await documents();
    const evilTest = '<img src=x onerror=alert(1)>';
    const nistJson = structuredClone(nist!.json) as { tests: { name: string }[] };
    nistJson.tests[0]!.name = evilTest;
    const captureJson = structuredClone(capture!.json) as Record<string, unknown> & { sources: { description: string }[] };
    captureJson.source = 'sim:seed=<script>alert(1)</script>';
    captureJson.sources[0]!.description = 'x" onmouseover="alert(1)';
    captureJson.command = ['rngseal', 'capture', '--out', "a'b<c>.bin"];
    const dhJson = structuredClone(dieharder!.json) as { results: { test: string }[] };
    dhJson.results[0]!.test = '<svg onload=alert(1)>';
    const outJson = structuredClone(outcomes!.json) as { entries: { label: string }[]; mapping: string };
    outJson.entries[0]!.label = '</td><td>injected';
    outJson.mapping = 'dice@1 & <b>bold</b>';
    const html = render(
      [
        { ...capture!, path: 'c&"d.json', json: captureJson },
        { ...nist!, json: nistJson },
        { ...dieharder!, json: dhJson },
        { ...outcomes!, json: outJson },
      ],
      'Lab <i>report</i>',
    );
    for (const raw of ['<img', '<script', '<svg onload', '" onmouseover="', '</td><td>injected', '<b>bold', '<i>report', 'c&"d.json', "a'b<c>"]) {
      expect(html, raw).not.toContain(raw);
    }
    const escapedTest = '&lt;img src=x onerror=alert(1)&gt;';
    expect(count(html, new RegExp(escapedTest.replace(/[()]/g, '\\$&'), 'g'))).toBeGreaterThanOrEqual(5); // two tables, histogram title and caption, chart label
    expect(html).toContain(`<title>${escapedTest}: p-value histogram</title>`);
    expect(html).toContain('sim:seed=&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('x&quot; onmouseover=&quot;alert(1)');
    expect(html).toContain('&lt;/td&gt;&lt;td&gt;injected');
    expect(html).toContain('&lt;svg onload=alert(1)&gt;');
    expect(html).toContain('<title>Lab &lt;i&gt;report&lt;/i&gt;</title>');
    expect(html).toContain('c&amp;&quot;d.json');
    expect(html).toContain('&#39;a&#39;\\&#39;&#39;b&lt;c&gt;.bin&#39;'); // shell-quoted, then escaped
    expect([...elements(html)].filter((e) => !ELEMENTS.has(e))).toEqual([]);
  });

  it('renders a report of one kind of input alone', async () => {
    const html = render([document('dieharder', 'dh.json', await dieharderReport())]);
    expect(html).toContain('25 PASSED, 6 WEAK, 0 FAILED');
    expect(html).not.toContain('<svg');
  });
});

describe('shellQuote', () => {
  it('quotes only what a shell would split or expand', () => {
    expect(shellQuote(['rngseal', 'capture', '--game', 'dice:count=2,sides=6', '--out', './a/b.csv'])).toBe('rngseal capture --game dice:count=2,sides=6 --out ./a/b.csv');
    expect(shellQuote(['--game', 'weighted:weights=1 2 3', "it's", '$HOME', ''])).toBe(`--game 'weighted:weights=1 2 3' 'it'\\''s' '$HOME' ''`);
  });
});
