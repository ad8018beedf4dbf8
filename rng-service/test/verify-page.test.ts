/**
 * The player's verifier page, driven in headless Chromium: served at /verify
 * (with the operator's key prefilled) and opened as the standalone file from
 * disk. A real receipt verifies with every stage green and each result
 * recomputed in the page; one changed byte in a record, an inclusion proof,
 * or the checkpoint's signature or root fails, naming the check the library
 * verifier names. The page makes no request but for itself.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalize, formatVerifierKey, fromBase64, parseVerifierKey, toBase64, verifyReceipt, VerifyError } from '@rngseal/verifier';
import { installProblemHandler } from '../src/routes/problem-handler.js';
import { problem } from '../src/routes/schemas.js';
import { verifyPageRoutes } from '../src/routes/verify-page.js';
import { VERIFY_PAGE_FILE } from '../src/verify-page-file.js';
// @ts-expect-error: a plain .mjs build script, no declarations
import { buildVerifyPage, VERIFY_PAGE_OUT } from '../../scripts/build-verify-page.mjs';
import { runCli, startTestService, tempDir, type TestService } from './helper.js';

type Receipt = any;

let s: TestService;
let browser: Browser;
let context: BrowserContext;
let pageHtml: string;
let vkey: string;
let seeded: Receipt;
let direct: Receipt;
const dir = tempDir('rngseal-verify-page-');

beforeAll(async () => {
  pageHtml = await buildVerifyPage();
  s = await startTestService({ 'checkpoint-every': '4', 'checkpoint-ms': '3600000' });
  vkey = (await s.call('GET', '/v1/keys')).json[0].vkey;
  const epoch = (await s.call('POST', '/v1/epochs', { requestId: 'vp-epoch' })).json.epoch;
  const draws = [{ mapping: 'shuffle', params: { n: 52 } }, { mapping: 'dice', params: { count: 2, sides: 6 } }, { mapping: 'float', params: {} }];
  expect((await s.call('POST', '/v1/outcomes', { requestId: 'vp-seeded', epoch, clientSeed: 'page-player-seed', draws })).status).toBe(200);
  expect((await s.call('POST', `/v1/epochs/${epoch}/reveal`)).status).toBe(200);
  expect((await s.call('POST', '/v1/outcome', { requestId: 'vp-direct', mapping: 'range', params: { min: 1, max: 100 } })).status).toBe(200);
  for (let i = 0; (await s.call('GET', '/v1/receipts/vp-direct')).status !== 200; i++) {
    expect(i, 'a checkpoint every 4 records').toBeLessThan(8);
    await s.call('POST', '/v1/outcome', { requestId: `vp-pad-${i}`, mapping: 'dice', params: { count: 1, sides: 6 } });
  }
  seeded = (await s.call('GET', '/v1/receipts/vp-seeded')).json;
  direct = (await s.call('GET', '/v1/receipts/vp-direct')).json;
  expect(seeded.reveal, 'the seeded receipt carries its reveal').toBeTruthy();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
  context = await browser.newContext({ viewport: { width: 360, height: 740 } }); // phone width
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

/** Opens the page, recording every request it makes. */
async function open(url: string): Promise<{ page: Page; requests: string[] }> {
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, requests };
}

interface Shown {
  status: string | undefined;
  stages: Array<{ stage: string; state: string; check: string | undefined; text: string }>;
  draws: Array<{ signed: string; recomputed: string; same: string }>;
  checked: string[];
}

async function verifyIn(page: Page, receipt: Receipt | string, key?: string): Promise<Shown> {
  await page.fill('#receipt', typeof receipt === 'string' ? receipt : JSON.stringify(receipt));
  if (key !== undefined) await page.fill('#vkey', key);
  await page.click('button[type=submit]');
  return shown(page);
}

async function shown(page: Page): Promise<Shown> {
  return {
    status: await page.$eval('#result', (e) => ((e as HTMLElement).hidden ? undefined : (e as HTMLElement).dataset.status)),
    stages: await page.$$eval('#stages li', (items) =>
      items.map((li) => ({ stage: li.dataset.stage!, state: li.dataset.state!, check: li.dataset.check, text: li.textContent! }))),
    draws: await page.$$eval('#draws tbody tr', (rows) =>
      rows.map((tr) => ({ signed: tr.querySelector('.signed')!.textContent!, recomputed: tr.querySelector('.recomputed')!.textContent!, same: tr.lastElementChild!.textContent! }))),
    checked: await page.$$eval('#checked li', (items) => items.map((li) => li.textContent!)),
  };
}

/** The error verifyReceipt (the library, in Node) raises for a receipt. */
function libraryFailure(receipt: Receipt | string, key = vkey): VerifyError {
  try {
    verifyReceipt(typeof receipt === 'string' ? receipt : JSON.stringify(receipt), key);
  } catch (err) {
    if (err instanceof VerifyError) return err;
    throw err;
  }
  throw new Error('the changed receipt still verifies');
}

/** How the page shows a result: canonical JSON, a float@1 integer with its value. */
const display = (draw: { mapping: string; result: unknown }) =>
  draw.mapping.startsWith('float@') ? `${draw.result} (= ${(draw.result as number) / 2 ** 52})` : canonicalize(draw.result);

function expectVerified(page: Shown, receipt: Receipt): void {
  expect(page.status).toBe('verified');
  expect(page.stages.map((r) => [r.stage, r.state])).toEqual([['format', 'pass'], ['checkpoint', 'pass'], ['inclusion', 'pass'], ['round', 'pass']]);
  expect(page.stages.every((r) => r.text.includes('PASS')), 'states in text, not colour only').toBe(true);
  const draws = receipt.outcome.body.draws as Array<{ mapping: string; result: unknown }>;
  expect(page.draws.map((d) => d.signed)).toEqual(draws.map(display));
  expect(page.draws.map((d) => d.recomputed)).toEqual(draws.map(display));
  expect(page.draws.every((d) => d.same === '✓ same')).toBe(true);
  expect(page.checked).toEqual(verifyReceipt(receipt, vkey).checks);
}

function expectFailed(page: Shown, err: VerifyError, stage: string): void {
  expect(page.status).toBe('failed');
  const at = page.stages.findIndex((r) => r.state === 'fail');
  expect(page.stages[at]).toMatchObject({ stage, check: err.check });
  expect(page.stages[at]!.text).toContain(`FAIL`);
  expect(page.stages[at]!.text).toContain(`${err.check}: ${err.message}`);
  expect(page.stages.slice(0, at).every((r) => r.state === 'pass')).toBe(true);
  expect(page.stages.slice(at + 1).every((r) => r.state === 'not-checked')).toBe(true);
}

const flipNibble = (hex: string, at: number) => hex.slice(0, at) + (parseInt(hex[at]!, 16) ^ 1).toString(16) + hex.slice(at + 1);
const flipBase64 = (b64: string, at: number) => {
  const bytes = fromBase64(b64);
  bytes[at] = bytes[at]! ^ 0x01;
  return toBase64(bytes);
};

/** One changed byte in each part a player must be able to trust, with the stage that must fail. */
function mutations(receipt: Receipt): Array<{ name: string; receipt: Receipt; check: string; stage: string }> {
  const seq = String(receipt.outcome.seq);
  const record = structuredClone(receipt);
  record.outcome.prev = flipNibble(record.outcome.prev, 5);
  const proof = structuredClone(receipt);
  proof.proofs[seq][0] = flipBase64(proof.proofs[seq][0], 7);
  const lines = (receipt.checkpoint as string).split('\n');
  const root = structuredClone(receipt);
  root.checkpoint = [...lines.slice(0, 2), flipBase64(lines[2]!, 3), ...lines.slice(3)].join('\n');
  const signature = structuredClone(receipt);
  const at = lines.findIndex((l) => l.startsWith('\u2014 '));
  const sigLine = lines[at]!;
  const b64 = sigLine.slice(sigLine.lastIndexOf(' ') + 1);
  signature.checkpoint = [...lines.slice(0, at), `${sigLine.slice(0, sigLine.lastIndexOf(' ') + 1)}${flipBase64(b64, 20)}`, ...lines.slice(at + 1)].join('\n');
  return [
    { name: "a hex nibble of the outcome record's prev (signed content)", receipt: record, check: 'INCLUSION', stage: 'inclusion' },
    { name: 'a byte of an inclusion-proof hash', receipt: proof, check: 'INCLUSION', stage: 'inclusion' },
    { name: "a byte of the checkpoint's root", receipt: root, check: 'CHECKPOINT', stage: 'checkpoint' },
    { name: "a byte of the checkpoint's signature", receipt: signature, check: 'CHECKPOINT', stage: 'checkpoint' },
  ];
}

describe('GET /verify', () => {
  it('serves the built file with its own CSP (no network) plus frame-ancestors, and the announced key filled in', async () => {
    expect(VERIFY_PAGE_OUT).toBe(VERIFY_PAGE_FILE);
    const res = await s.call('GET', '/verify', undefined, null);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(pageHtml)![1]!;
    expect(policy).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; style-src 'sha256-[A-Za-z0-9+/=]+'; /);
    expect(policy).not.toMatch(/connect-src|unsafe-inline|https?:/);
    expect(res.headers['content-security-policy']).toBe(`${policy}; frame-ancestors 'none'`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.text).toBe(pageHtml.replace('<meta name="rngseal-announced-vkey" content="">', `<meta name="rngseal-announced-vkey" content="${vkey}">`));
  });

  it('503 problem+json saying how to build it when the file is missing or not built by the script; no path leaked', async () => {
    const notBuilt = join(dir, 'hand-made.html');
    writeFileSync(notBuilt, '<!doctype html><title>x</title>');
    for (const file of [join(dir, 'absent.html'), notBuilt]) {
      const app = Fastify({ logger: false });
      app.decorate('services', { transparency: { verifierKey: vkey } } as never);
      installProblemHandler(app);
      app.addSchema(problem);
      await app.register(verifyPageRoutes, { file });
      const res = await app.inject({ method: 'GET', url: '/verify' });
      expect(res.statusCode, file).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 503, title: 'Verifier page not built', instance: '/verify' });
      expect(res.json().detail).toContain('npm run build');
      expect(res.body).not.toContain(dir);
      await app.close();
    }
  });
});

describe('in Chromium, served at /verify', () => {
  let page: Page;
  let requests: string[];
  beforeAll(async () => {
    ({ page, requests } = await open(`${s.url}/verify`));
  });

  it('prefills the key as announced by the operator, labelled so', async () => {
    expect(await page.inputValue('#vkey')).toBe(vkey);
    expect(await page.isVisible('#vkey-announced')).toBe(true);
    expect(await page.innerText('#vkey-announced')).toContain('as announced by the operator — compare it with a key you got elsewhere');
  });

  it('a revealed round: every stage passes, each result recomputed equals the signed one; fits a phone screen', async () => {
    expectVerified(await verifyIn(page, seeded), seeded);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  });

  it('one changed byte in the record, a proof hash, the checkpoint root or signature fails, naming the check verifyReceipt names', async () => {
    for (const m of mutations(seeded)) {
      const err = libraryFailure(m.receipt);
      expect(err.check, m.name).toBe(m.check);
      expectFailed(await verifyIn(page, m.receipt), err, m.stage);
    }
    expectVerified(await verifyIn(page, seeded), seeded); // and the page recovers
  });

  it('a changed signed result: the page still recomputes the true one and shows they differ; the verdict fails', async () => {
    const changed = structuredClone(seeded);
    const dice = changed.outcome.body.draws[1];
    const truth = canonicalize(dice.result);
    dice.result = [dice.result[0] === 6 ? 5 : dice.result[0] + 1, dice.result[1]];
    const result = await verifyIn(page, changed);
    expectFailed(result, libraryFailure(changed), 'inclusion');
    expect(result.draws[1]).toEqual({ signed: canonicalize(dice.result), recomputed: truth, same: '✗ differs' });
    expect(await page.textContent('#draws-note')).toContain('Not verified');
  });

  it("another log's key fails CHECKPOINT; not JSON fails FORMAT; empty or malformed inputs name their field", async () => {
    const other = formatVerifierKey('rngseal/elsewhere', parseVerifierKey(vkey).publicKey);
    expectFailed(await verifyIn(page, seeded, other), libraryFailure(seeded, other), 'checkpoint');
    expectFailed(await verifyIn(page, '{"version": 1', vkey), libraryFailure('{"version": 1'), 'format');

    await verifyIn(page, '   ', vkey);
    expect(await page.textContent('#receipt-error')).toBe('receipt: paste or drop the receipt JSON');
    expect(await page.isHidden('#result')).toBe(true);
    await verifyIn(page, seeded, 'not-a-key');
    expect(await page.textContent('#vkey-error')).toMatch(/^verifier key: /);
    expect(await page.getAttribute('#vkey', 'aria-invalid')).toBe('true');
    await verifyIn(page, seeded, '');
    expect(await page.textContent('#vkey-error')).toMatch(/^verifier key: enter/);
  });

  it('receipt content is shown as text, never markup', async () => {
    const hostile = structuredClone(seeded);
    hostile.outcome.body.draws[0].mapping = '<img src="/x-from-receipt" id="injected">';
    const result = await verifyIn(page, hostile, vkey);
    expect(result.status).toBe('failed');
    expect(await page.$('#injected')).toBeNull();
    expect(await page.textContent('#draws tbody')).toContain('<img src="/x-from-receipt" id="injected">');
  });

  it('made no request but for the page itself', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => u !== `${s.url}/verify`)).toEqual([]);
  });
});

describe('in Chromium, the standalone file opened from disk', () => {
  let page: Page;
  let requests: string[];
  const url = pathToFileURL(VERIFY_PAGE_OUT as string).href;
  beforeAll(async () => {
    ({ page, requests } = await open(url));
  });

  it('has no key filled in and no announcement', async () => {
    expect(await page.inputValue('#vkey')).toBe('');
    expect(await page.isHidden('#vkey-announced')).toBe(true);
  });

  it('a direct draw chosen as a file verifies, recomputed from the recorded entropy', async () => {
    await page.setInputFiles('#receipt-file', { name: 'receipt.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(direct)) });
    await expect.poll(() => page.inputValue('#receipt')).toBe(JSON.stringify(direct));
    await page.fill('#vkey', vkey);
    await page.click('button[type=submit]');
    expectVerified(await shown(page), direct);
  });

  it('a seeded round dropped on the drop zone verifies; each changed byte fails as in the library', async () => {
    const text = JSON.stringify(seeded);
    const transfer = await page.evaluateHandle((t) => {
      const data = new DataTransfer();
      data.items.add(new File([t], 'receipt.json', { type: 'application/json' }));
      return data;
    }, text);
    await page.fill('#receipt', '');
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
    await expect.poll(() => page.inputValue('#receipt')).toBe(text);
    await page.click('button[type=submit]');
    expectVerified(await shown(page), seeded);
    for (const m of mutations(seeded)) expectFailed(await verifyIn(page, m.receipt), libraryFailure(m.receipt), m.stage);
  });

  it('made no request at all but loading the file', () => {
    expect(requests).toEqual([url]);
  });
});

describe('rngseal verify --page', () => {
  it('writes the standalone page; with a round file as well it is a usage error', async () => {
    const out = join(dir, 'verify.html');
    const ok = await runCli(['verify', '--page', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toBe(pageHtml);
    const both = await runCli(['verify', 'round.json', '--page', out]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--page takes no round file');
  });
});
