/**
 * The transparency log over HTTP, as a client checks it: checkpoints signed
 * as C2SP notes with the key GET /v1/keys publishes (and OpenSSL agrees with
 * the signature), inclusion and consistency proofs from the stored tree that
 * the browser verifier accepts, receipts that verify offline with the vkey
 * alone (and fail, naming the check and record, when any byte of them
 * changes), and timed checkpoints only while records arrive.
 */

import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkConsistency, checkInclusion, formatVerifierKey, fromBase64, fromHex, leafHash, openNote, parseCheckpoint,
  parseRecord, parseVerifierKey, rootFromLeafHashes, toBase64, utf8, verifyReceipt, VerifyError,
  type Checkpoint, type LogRecord, type VerifierKey,
} from '@rngseal/verifier';
import { opensslVerify } from '../src/chain-check.js';
import { runCli, startTestService, tempDir, type TestService } from './helper.js';

const EVERY = 5;
const dice = { mapping: 'dice', params: { count: 2, sides: 6 } };

let s: TestService;
let vkeyText: string;
let vkey: VerifierKey;
let publicKeyHex: string;
const dir = tempDir('rngseal-transparency-');

beforeAll(async () => {
  s = await startTestService({ 'checkpoint-every': String(EVERY), 'checkpoint-ms': '3600000' });
  const keys = (await s.call('GET', '/v1/keys')).json;
  vkeyText = keys[0].vkey;
  publicKeyHex = keys[0].publicKey;
  vkey = parseVerifierKey(vkeyText);
  for (let i = 0; i < 8; i++) expect((await s.call('POST', '/v1/outcome', { requestId: `t-${i}`, ...dice })).status).toBe(200);
});
afterAll(() => s.stop());

const texts = async (): Promise<string[]> => (await s.call('GET', '/v1/export')).text.trim().split('\n');
const seqOf = async (requestId: string): Promise<number> => (await s.call('GET', `/v1/rounds/${requestId}`)).json.outcome.seq;

async function latestCheckpoint(): Promise<{ note: string; checkpoint: Checkpoint }> {
  const res = await s.call('GET', '/v1/checkpoint');
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  return { note: res.text, checkpoint: parseCheckpoint(openNote(res.text, [vkey]).body) };
}

/**
 * Appends outcomes until a checkpoint covers seq `seq`. (The checkpoint due
 * after an outcome is appended just after that outcome's answer.)
 */
async function checkpointPast(seq: number, tag: string): Promise<void> {
  for (let i = 0; (await latestCheckpoint()).checkpoint.size <= seq; i++) {
    expect(i, 'a checkpoint every 5 records').toBeLessThan(2 * EVERY + 2);
    await s.call('POST', '/v1/outcome', { requestId: `${tag}-${i}`, ...dice });
  }
}

describe('keys and checkpoints', () => {
  it("GET /v1/keys gives the note verifier key: origin rngseal/<chain>, the record key's public key", () => {
    expect(vkeyText).toBe(formatVerifierKey(`rngseal/${s.chain}`, fromHex(publicKeyHex)));
    expect(vkey.name).toBe(`rngseal/${s.chain}`);
  });

  it('checkpoint records cover exactly the records before them, every 5 records, with the root of their stored texts', async () => {
    const all = await texts();
    const records = all.map((t) => parseRecord(t));
    const checkpoints = records.filter((r) => r.type === 'checkpoint');
    expect(checkpoints.map((c) => c.seq)).toEqual([5]);
    const leaves = all.map((t) => leafHash(utf8(t)));
    for (const c of checkpoints) {
      const body = c.body as { size: number; root: string; note: string };
      const cp = parseCheckpoint(openNote(body.note, [vkey]).body);
      expect(cp).toEqual({ origin: vkey.name, size: c.seq, root: rootFromLeafHashes(leaves.slice(0, c.seq)) });
      expect(body).toEqual({ size: c.seq, root: toBase64(cp.root), note: body.note });
    }
    const { note } = await latestCheckpoint();
    expect(note).toBe((checkpoints.at(-1)!.body as { note: string }).note);
  });

  it("OpenSSL verifies the note's Ed25519 signature over the note body bytes (pkeyutl -rawin)", async () => {
    const { note } = await latestCheckpoint();
    const split = note.lastIndexOf('\n\n');
    const body = note.slice(0, split + 1);
    const line = note.slice(split + 2).trimEnd();
    expect(line.startsWith(`\u2014 ${vkey.name} `)).toBe(true);
    const raw = fromBase64(line.slice(`\u2014 ${vkey.name} `.length));
    expect(raw.length).toBe(4 + 64);
    expect(Buffer.from(raw.subarray(0, 4)).readUInt32BE(0)).toBe(vkey.keyId);
    const pem = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' });
    writeFileSync(join(dir, 'pub.pem'), pem);
    writeFileSync(join(dir, 'body'), body);
    writeFileSync(join(dir, 'sig'), raw.subarray(4));
    const verify = (file: string) =>
      execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-rawin', '-in', join(dir, file), '-sigfile', join(dir, 'sig')], { encoding: 'utf8' });
    expect(verify('body')).toContain('Signature Verified Successfully');
    writeFileSync(join(dir, 'other'), body.replace(/\n(\d+)\n/, (_, n) => `\n${Number(n) + 1}\n`));
    expect(() => verify('other')).toThrow();
  });

  it('rngseal audit --key VKEY recomputes every checkpoint root; a vkey of another origin fails the first checkpoint', async () => {
    const ok = await runCli(['audit', '--url', s.url, '--key', vkeyText]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`\\d+ checkpoints of rngseal/${s.chain}: signatures valid, roots recomputed`));
    const other = await runCli(['audit', '--url', s.url, '--key', formatVerifierKey('rngseal/elsewhere', vkey.publicKey)]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(new RegExp(`^FAILED CHECKPOINT: record ${EVERY}: `));
  });

  it('404 for a chain without checkpoints', async () => {
    const res = await s.call('GET', '/v1/checkpoint?chain=nothing-here');
    expect(res.status).toBe(404);
  });
});

describe('proofs', () => {
  it('every inclusion proof against the checkpoint verifies; and against the current tree', async () => {
    await checkpointPast(11, 'p');
    const { checkpoint } = await latestCheckpoint();
    const all = await texts();
    const current = all.length;
    const currentRoot = rootFromLeafHashes(all.map((t) => leafHash(utf8(t))));
    for (const [size, root] of [[checkpoint.size, checkpoint.root], [current, currentRoot]] as const) {
      for (let seq = 0; seq < size; seq++) {
        const res = await s.call('GET', `/v1/proof/inclusion?seq=${seq}&size=${size}`);
        expect(res.status, res.text).toBe(200);
        expect(res.json).toMatchObject({ chain: s.chain, seq, size });
        const stored = (await s.call('GET', `/v1/records/${seq}`)).text;
        checkInclusion({ index: seq, size, leafHash: leafHash(utf8(stored)), proof: res.json.proof.map((h: string) => fromBase64(h)), root });
      }
    }
  });

  it('consistency proofs between successive checkpoints, and to the current tree, verify', async () => {
    const all = await texts();
    const leaves = all.map((t) => leafHash(utf8(t)));
    const sizes = all.map((t) => parseRecord(t)).filter((r) => r.type === 'checkpoint').map((r) => r.seq);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    const pairs = [...sizes.slice(1).map((to, i) => [sizes[i]!, to]), [sizes[0]!, all.length], [1, all.length], [all.length, all.length]];
    for (const [from, to] of pairs as [number, number][]) {
      const res = await s.call('GET', `/v1/proof/consistency?from=${from}&to=${to}`);
      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ from, to });
      const proof = res.json.proof.map((h: string) => fromBase64(h));
      checkConsistency({ size1: from, root1: rootFromLeafHashes(leaves.slice(0, from)), size2: to, root2: rootFromLeafHashes(leaves.slice(0, to)), proof });
    }
  });

  it('400 naming the field: size beyond the tree, seq not below size, from above to, from 0, missing or malformed', async () => {
    const size = (await texts()).length;
    const cases: Array<[string, string]> = [
      [`/v1/proof/inclusion?seq=0&size=${size + 1}`, 'querystring.size'],
      [`/v1/proof/inclusion?seq=${size}&size=${size}`, 'querystring.seq'],
      ['/v1/proof/inclusion?seq=3&size=3', 'querystring.seq'],
      ['/v1/proof/inclusion?size=3', 'querystring.seq'],
      ['/v1/proof/inclusion?seq=-1&size=3', 'querystring.seq'],
      [`/v1/proof/consistency?from=1&to=${size + 1}`, 'querystring.to'],
      ['/v1/proof/consistency?from=4&to=3', 'querystring.from'],
      ['/v1/proof/consistency?from=0&to=3', 'querystring.from'],
      ['/v1/proof/consistency?from=01&to=3', 'querystring.from'],
      ['/v1/proof/consistency?from=1&to=3&x=1', 'querystring.x'],
    ];
    for (const [url, field] of cases) {
      const res = await s.call('GET', url);
      expect(res.status, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json.field, url).toBe(field);
    }
  });
});

describe('receipts', () => {
  it('409 with Retry-After until a checkpoint covers the round', async () => {
    expect((await s.call('POST', '/v1/outcome', { requestId: 'r-late', ...dice })).status).toBe(200);
    const { checkpoint } = await latestCheckpoint();
    if (checkpoint.size > (await seqOf('r-late'))) await s.call('POST', '/v1/outcome', { requestId: 'r-later', ...dice });
    const id = checkpoint.size > (await seqOf('r-late')) ? 'r-later' : 'r-late';
    const res = await s.call('GET', `/v1/receipts/${id}`);
    expect(res.status).toBe(409);
    expect(res.headers['retry-after']).toBe('3600');
    expect(res.json.detail).toBe(`record ${await seqOf(id)} is not yet in a checkpoint; retry after 3600 seconds`);
    expect((await s.call('GET', '/v1/receipts/no-such-request')).status).toBe(404);
  });

  it('direct, revealed and pending rounds: receipts verify offline with the vkey alone, and in the CLI', async () => {
    const e = (await s.call('POST', '/v1/epochs', { requestId: 'r-epoch' })).json;
    const play = (id: string) => s.call('POST', '/v1/outcome', { requestId: id, epoch: e.epoch, clientSeed: 'receipt-player-seed', ...dice });
    expect((await play('r-seeded')).status).toBe(200);
    await checkpointPast(await seqOf('r-seeded'), 'c1');
    const pending = (await s.call('GET', '/v1/receipts/r-seeded')).json;
    expect(Object.keys(pending).sort()).toEqual(['checkpoint', 'commit', 'outcome', 'proofs', 'version']);
    expect(verifyReceipt(pending, vkeyText).status).toBe('pending');

    const reveal = (await s.call('POST', `/v1/epochs/${e.epoch}/reveal`)).json;
    await checkpointPast(reveal.seq, 'c2');
    const revealed = (await s.call('GET', '/v1/receipts/r-seeded')).json;
    expect(Object.keys(revealed.proofs).map(Number)).toEqual([revealed.commit.seq, revealed.outcome.seq, revealed.reveal.seq].sort((a, b) => a - b));
    const verdict = verifyReceipt(revealed, vkeyText, opensslVerify);
    expect(verdict.status).toBe('verified');
    expect(verdict.results).toEqual([revealed.outcome.body.draws[0].result]);
    expect(verdict.checks.join('\n')).toContain(`record ${revealed.outcome.seq}: included in the checkpoint of size ${verdict.checkpoint.size}`);

    const direct = (await s.call('GET', '/v1/receipts/t-3')).json;
    expect(Object.keys(direct.proofs)).toEqual([String(direct.outcome.seq)]);
    expect(verifyReceipt(JSON.stringify(direct), vkey).status).toBe('verified');

    writeFileSync(join(dir, 'receipt.json'), JSON.stringify(revealed));
    const ok = await runCli(['verify', join(dir, 'receipt.json'), '--key', vkeyText]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`VERIFIED record ${revealed.outcome.seq}`);
    writeFileSync(join(dir, 'pending.json'), JSON.stringify(pending));
    expect((await runCli(['verify', join(dir, 'pending.json'), '--key', vkeyText])).code).toBe(3);
    const hexKey = await runCli(['verify', join(dir, 'receipt.json'), '--key', publicKeyHex]);
    expect(hexKey.code).toBe(2);
    expect(hexKey.stderr).toContain("the log's verifier key");
    // The same round, plain, still verifies with the hex key.
    writeFileSync(join(dir, 'round.json'), (await s.call('GET', '/v1/rounds/r-seeded')).text);
    expect((await runCli(['verify', join(dir, 'round.json'), '--key', publicKeyHex])).code).toBe(0);
    // Another log's key (same public key, other origin) opens no checkpoint.
    const other = formatVerifierKey('rngseal/other', vkey.publicKey);
    expect(() => verifyReceipt(revealed, other, opensslVerify)).toThrow(/CHECKPOINT|no signature from a known key/);
    const bad = await runCli(['verify', join(dir, 'receipt.json'), '--key', other]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAILED CHECKPOINT: /);
  });

  /** verifyReceipt's error on a receipt text, or null if it passed. */
  const failure = (text: string): VerifyError | null => {
    try {
      verifyReceipt(text, vkey, opensslVerify);
      return null;
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      return err;
    }
  };
  const flip = (text: string, at: number): string => text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);

  it('every single-byte change of the outcome record fails INCLUSION naming it (or FORMAT when no longer JSON)', async () => {
    const receipt = (await s.call('GET', '/v1/receipts/r-seeded')).json;
    const text = JSON.stringify(receipt);
    const outcome = JSON.stringify(receipt.outcome);
    expect(outcome).toBe((await s.call('GET', `/v1/records/${receipt.outcome.seq}`)).text); // served in its stored bytes
    expect(/^[\x20-\x7e]*$/.test(outcome), 'ASCII: one character is one byte').toBe(true);
    const start = text.indexOf(outcome);
    expect(failure(text)).toBeNull();
    const checks = new Map<string, number>();
    for (let i = 0; i < outcome.length; i++) {
      const changed = flip(text, start + i);
      const err = failure(changed);
      expect(err, `byte ${i} (${outcome[i]})`).not.toBeNull();
      let json = true;
      try {
        JSON.parse(changed);
      } catch {
        json = false;
      }
      if (!json) {
        expect(err!.check, `byte ${i}`).toBe('FORMAT');
      } else {
        expect(err!.check, `byte ${i} (${outcome[i]}): ${err!.message}`).toBe('INCLUSION');
        // A changed seq names the seq the record now claims.
        const claimed = JSON.parse(changed).outcome.seq;
        expect(err!.seq, `byte ${i}`).toBe(Number.isSafeInteger(claimed) ? claimed : undefined);
      }
      checks.set(err!.check, (checks.get(err!.check) ?? 0) + 1);
    }
    expect(checks.get('INCLUSION')).toBeGreaterThan(outcome.length / 2);
  });

  it('a changed byte in a proof hash fails INCLUSION naming the record; in the note, CHECKPOINT', async () => {
    const receipt = (await s.call('GET', '/v1/receipts/r-seeded')).json;
    for (const seq of Object.keys(receipt.proofs)) {
      const path: string[] = receipt.proofs[seq];
      expect(path.length).toBeGreaterThan(0);
      for (const [h, at] of [[0, 0], [0, 31], [path.length - 1, 7], [path.length - 1, 16]] as const) {
        const bytes = fromBase64(path[h]!);
        bytes[at] = bytes[at]! ^ 0x80;
        const changed = structuredClone(receipt);
        changed.proofs[seq][h] = toBase64(bytes);
        const err = failure(JSON.stringify(changed));
        expect(err?.check, `proof ${seq}[${h}] byte ${at}`).toBe('INCLUSION');
        expect(err?.seq).toBe(Number(seq));
      }
    }
    const note: string = receipt.checkpoint;
    for (let i = 0; i < note.length; i += 3) {
      const changed = { ...receipt, checkpoint: flip(note, i) };
      const err = failure(JSON.stringify(changed));
      expect(err?.check, `note byte ${i} (${JSON.stringify(note[i])})`).toBe('CHECKPOINT');
    }
  });
});

describe('timed checkpoints', () => {
  it('--checkpoint-ms: a checkpoint soon after records arrive, none while the log is idle', async () => {
    const t = await startTestService({ 'checkpoint-ms': '100' });
    try {
      const head = async () => (await t.call('GET', '/v1/head')).json.seq as number;
      await t.call('POST', '/v1/outcome', { requestId: 'timed-1', ...dice });
      const seq = (await t.call('GET', '/v1/rounds/timed-1')).json.outcome.seq as number;
      const deadline = Date.now() + 5000;
      while ((await t.call('GET', '/v1/receipts/timed-1')).status !== 200) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 20));
      }
      const idle = await head();
      expect(idle).toBe(seq + 1); // the checkpoint right after the outcome
      await new Promise((r) => setTimeout(r, 400));
      expect(await head()).toBe(idle);
      const last = (await t.call('GET', `/v1/records/${idle}`)).json as LogRecord;
      expect(last.type).toBe('checkpoint');
    } finally {
      await t.stop();
    }
  });
});
