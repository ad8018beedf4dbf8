/**
 * @module test/lab-report
 * The lab report end to end, as a lab makes it: the compiled CLI (run
 * `npx tsc -b` first) captures conditioned bytes and dice outcomes from the
 * simulator, runs `certify nist` and `certify outcomes`, adds a dieharder
 * report (recorded dieharder output through runDieharder: dieharder itself
 * reads far more than a test should), and writes the report; headless
 * Chromium then opens it: nothing but the file is requested, the plots and
 * tables hold what the JSON says, and a screenshot shows a real page.
 * Also: the report and outcomes commands' flag and input errors.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Summary } from '@rngseal/certification';
import { dieharderReport } from '../../certification/test/helpers/report-documents.js';
import { colourCounts, decodePng } from './png.js';
import { BIN, runCli, tempDir } from './helper.js';

const CHROMIUM = '/usr/bin/chromium';
const BITS = 20_000;
const SEQUENCES = 20; // ≥ 10, so the uniformity P-values exist
const dir = tempDir('rngseal-lab-report-');
const file = (name: string) => join(dir, name);

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await runCli(args);
  if (r.code !== 0) throw new Error(`rngseal ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r;
}

interface OutcomesJson {
  sha256: string;
  entries: { label: string; result?: { pValue: number } }[];
}

let nist: Summary;
let outcomes: OutcomesJson;
let captureManifest: { sha256: string; software: { digest: string }; command: string[]; finished: string; started: string };
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(BIN.replace('bin/rngseal.js', 'dist/cli.js'))) throw new Error('rng-service/dist is missing: run `npx tsc -b` first');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  await cli('capture', '--source', 'sim:seed=1', '--stage', 'conditioned', '--bytes', String((SEQUENCES * BITS) / 8), '--out', file('drbg.bin'));
  await cli('certify', 'nist', '--input', file('drbg.bin'), '--format', 'binary', '--bits', String(BITS), '--sequences', String(SEQUENCES), '--threads', '1', '--json', file('nist.json'));
  await cli('capture', '--source', 'sim:seed=2', '--stage', 'outcomes', '--count', '2000', '--game', 'dice:count=2,sides=6', '--out', file('dice.csv'));
  await cli('certify', 'outcomes', '--input', file('dice.csv'), '--json', file('outcomes.json'));
  writeFileSync(file('dieharder.json'), JSON.stringify(await dieharderReport()));
  await cli(
    'certify', 'report', '--out', file('report.html'), '--title', 'Lab report: sim:seed=1',
    '--capture', file('drbg.bin.json'), '--capture', file('dice.csv.json'),
    '--nist', file('nist.json'), '--outcomes', file('outcomes.json'), '--dieharder', file('dieharder.json'),
  );
  nist = JSON.parse(readFileSync(file('nist.json'), 'utf8')) as Summary;
  outcomes = JSON.parse(readFileSync(file('outcomes.json'), 'utf8')) as OutcomesJson;
  captureManifest = JSON.parse(readFileSync(file('drbg.bin.json'), 'utf8'));
  browser = await chromium.launch({ executablePath: CHROMIUM });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rngseal certify report, in headless Chromium', () => {
  it('records what the report needs in the capture manifest', () => {
    expect(captureManifest.command).toEqual(['rngseal', 'capture', '--source', 'sim:seed=1', '--stage', 'conditioned', '--bytes', '50000', '--out', file('drbg.bin')]);
    expect(captureManifest.software.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(captureManifest.finished)).toBeGreaterThanOrEqual(Date.parse(captureManifest.started));
    expect(nist.bitsSha256).toBe(captureManifest.sha256); // N a multiple of 32: the tested bits are the file
  });

  it('loads nothing but the file, and shows the plots and tables the JSON describes', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => problems.push(`console ${m.type()}: ${m.text()}`));
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const url = pathToFileURL(file('report.html')).href;
    await page.goto(url, { waitUntil: 'load' });
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.title()).toBe('Lab report: sim:seed=1');

    // One ten-bar histogram per applicable test, bar heights in proportion to its pooled bins.
    const applicable = nist.tests.filter((t) => t.applicable);
    expect(applicable.length).toBeGreaterThan(5);
    const histograms = page.locator('svg.histogram');
    expect(await histograms.count()).toBe(applicable.length);
    for (let i = 0; i < applicable.length; i++) {
      const bars = histograms.nth(i).locator('rect.bar');
      expect(await bars.count()).toBe(10);
      const heights = await bars.evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
      const pooled = Array.from({ length: 10 }, (_, b) => applicable[i]!.histogram.reduce((s, h) => s + h[b]!, 0));
      const top = Math.max(...pooled);
      heights.forEach((h, b) => expect(h / Math.max(...heights), `${applicable[i]!.name} C${b + 1}`).toBeCloseTo(pooled[b]! / top, 2));
      expect((await histograms.nth(i).boundingBox())!.width).toBeGreaterThan(150);
    }
    const counted = nist.tests.reduce((n, t) => n + t.proportion.filter((p) => p.counted > 0).length, 0);
    expect(await page.locator('svg.proportion circle.point').count()).toBe(counted);
    expect(await page.locator('svg.proportion rect.band').count()).toBeGreaterThan(0);

    // The per-test table: proportion and uniformity P-value as in the JSON.
    const frequency = nist.tests.find((t) => t.name === 'Frequency')!;
    const row = page.locator('section.nist table').first().locator('tr', { has: page.locator('td', { hasText: /^Frequency$/ }) });
    const cells = await row.locator('td').allInnerTexts();
    const p = frequency.proportion[0]!;
    expect(cells[1]).toBe('1/1');
    expect(cells[2]).toBe(`${p.passing}/${p.counted} = ${(p.passing / p.counted).toFixed(4)}`);
    expect(cells[3]).toContain(`${p.minPassing}–${p.maxPassing} of ${p.counted}`);
    expect(cells[4]).toBe(frequency.uniformity[0]!.toFixed(6));
    expect(cells[5]).toBe(frequency.passed ? 'passed' : 'FAILED');
    const universal = await page.locator('section.nist table').first().locator('tr', { has: page.locator('td', { hasText: /^Universal$/ }) }).locator('td').last().innerText();
    expect(universal).toBe('not applicable'); // needs n ≥ 387,840

    // Outcome tests, dieharder, metadata.
    const outcomeRows = page.locator('section.outcomes table tr');
    expect(await outcomeRows.count()).toBe(outcomes.entries.length + 1);
    const first = await outcomeRows.nth(1).locator('td').allInnerTexts();
    expect(first[0]).toBe(outcomes.entries[0]!.label);
    expect(first[4]).toBe(outcomes.entries[0]!.result!.pValue.toFixed(6));
    expect(await page.locator('section.dieharder table tr').count()).toBe(1 + 31);
    const metadata = await page.locator('#metadata').innerText();
    expect(metadata).toContain(captureManifest.sha256);
    expect(metadata).toContain(outcomes.sha256);
    expect(metadata).toContain('simulator (deterministic SHA-256 stream, NOT random): seed=1');
    expect(metadata).toContain(captureManifest.software.digest);
    expect(metadata).toContain('50,000 bytes');
    expect(metadata).toContain(`rngseal capture --source sim:seed=1 --stage conditioned --bytes 50000 --out ${file('drbg.bin')}`);
    expect(await page.locator('section.nist dl').innerText()).toContain(`all of capture ${file('drbg.bin')}`);

    // Print styles: each battery starts a page.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('section.battery').first().evaluate((s) => getComputedStyle(s).breakBefore)).toBe('page');
    await page.close();
  }, 60_000);

  it('takes a screenshot of a real page: many colours, the bars among them', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pathToFileURL(file('report.html')).href);
    const path = file('report.png');
    await page.screenshot({ path, fullPage: true });
    const png = decodePng(readFileSync(path));
    expect(png.width).toBe(1200);
    expect(png.height).toBeGreaterThan(3000); // tables, chart, fifteen histograms
    const colours = colourCounts(png);
    const pixels = png.width * png.height;
    expect(colours.size).toBeGreaterThan(50); // text antialiasing, bars, bands, points
    expect(pixels - (colours.get('ffffff') ?? 0)).toBeGreaterThan(pixels * 0.03);
    expect(colours.get('4a6fa5') ?? 0).toBeGreaterThan(20_000); // the histogram bars' fill
    expect(colours.get('cfe8cf') ?? 0).toBeGreaterThan(5_000); // the proportion chart's band

    await page.setContent('<!DOCTYPE html><title>blank</title>');
    const blank = colourCounts(decodePng(await page.screenshot()));
    expect([...blank.keys()]).toEqual(['ffffff']); // what a page that failed to render would look like
    await page.close();
  }, 60_000);
});

describe('rngseal certify report and outcomes: errors', () => {
  it('exits 2 naming the flag on bad usage, 1 naming file and field on a bad input', async () => {
    const [noOut, noInput, wrongKind, notJson, missing, noCsv, badCsv] = await Promise.all([
      runCli(['certify', 'report', '--nist', file('nist.json')]),
      runCli(['certify', 'report', '--out', file('x.html')]),
      runCli(['certify', 'report', '--out', file('x.html'), '--nist', file('drbg.bin.json')]),
      runCli(['certify', 'report', '--out', file('x.html'), '--capture', file('dice.csv')]),
      runCli(['certify', 'report', '--out', file('x.html'), '--dieharder', file('nope.json')]),
      runCli(['certify', 'outcomes']),
      runCli(['certify', 'outcomes', '--input', file('nist.json')]),
    ]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out: required');
    expect(noOut.stderr).toContain('usage: rngseal certify report');
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toContain('give at least one input');
    expect(wrongKind.code).toBe(1);
    expect(wrongKind.stderr).toBe(`rngseal: --nist ${file('drbg.bin.json')}: bits: expected a number, got nothing\n`);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain(`--capture ${file('dice.csv')}: not JSON`);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`--dieharder ${file('nope.json')}: ENOENT`);
    expect(noCsv.code).toBe(2);
    expect(noCsv.stderr).toContain('--input: required');
    expect(badCsv.code).toBe(1);
    expect(badCsv.stderr).toContain(`--input ${file('nist.json')}: outcome CSV line 1: header must start with game=`);
    expect(existsSync(file('x.html'))).toBe(false);
  });
});
