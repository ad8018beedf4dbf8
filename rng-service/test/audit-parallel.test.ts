/**
 * `rngseal audit` on worker threads. On a log the real service wrote
 * (seeded epochs revealed, rotated and left open, direct draws, seven
 * mappings, a checkpoint every 7 records) and on copies tampered with — a
 * changed byte, a changed signature, a broken link, a forged checkpoint,
 * wrong results re-signed with the service's own key, a line that is not
 * JSON, a missing record — the parallel audit reaches the verdict of the
 * verifier's single-threaded path (ChainAuditor.push, @noble crypto, the same
 * first-pass seeds), naming the same check, seq and message: in-process
 * with small chunks (many per worker, finishing out of order) on 1 and 2
 * threads, and through the CLI with --threads 1 and the default.
 */

import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChainAuditor, encodeRecord, formatCheckpoint, fromHex, parseRecord, parseVerifierKey, recordHash, signingMessage, toHex,
  VerifyError, type AuditReport, type LogRecord,
} from '@rngseal/verifier';
import { firstPass } from '../src/audit/first-pass.js';
import { fileInput } from '../src/audit/input.js';
import { auditParallel } from '../src/audit/parallel-audit.js';
import { loadKeyFile, type Signer } from '../src/signer.js';
import { noteSignerForKey, signNote } from '../src/tlog/note-signer.js';
import { BIN, runCli, startTestService, tempDir, type TestService } from './helper.js';

const DRAWS = [
  { mapping: 'shuffle', params: { n: 52 } },
  { mapping: 'draw', params: { n: 80, k: 20 } },
  { mapping: 'dice', params: { count: 2, sides: 6 } },
  { mapping: 'weighted', params: { weights: [50, 30, 15, 5] } },
  { mapping: 'reels', params: { reels: [[0, 1, 2, 3], [0, 1, 2, 3], [0, 1, 2, 3]] } },
  { mapping: 'float', params: {} },
  { mapping: 'range', params: { min: 1, max: 100 } },
];

let s: TestService;
let dir: string;
let signer: Signer;
let vkey: string;
let good: LogRecord[];

beforeAll(async () => {
  // No clock checkpoints: a --url audit must see the same records as the file.
  s = await startTestService({ 'checkpoint-every': '7', 'checkpoint-ms': '86400000' });
  dir = tempDir('rngseal-audit-parallel-');
  const ok = async (url: string, body?: unknown) => {
    const res = await s.call('POST', url, body);
    expect(res.status, res.text).toBeLessThan(300);
    return res.json;
  };
  let epoch = (await ok('/v1/epochs', { requestId: 'e-0' })).epoch;
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 6; i++) {
      await ok('/v1/outcomes', { requestId: `s-${round}-${i}`, epoch, clientSeed: `player-seat-${i}`, draws: [DRAWS[i]!, DRAWS[(i + round + 1) % DRAWS.length]!] });
      await ok('/v1/outcome', { requestId: `d-${round}-${i}`, ...DRAWS[(i + round) % DRAWS.length]! });
    }
    if (round < 2) epoch = (await ok(`/v1/epochs/${epoch}/rotate`, { requestId: `r-${round}` })).epoch;
  }
  // The last epoch stays open: its outcomes are signed but not yet recomputable.
  // A checkpoint the record count made due is appended just after the answer that made it due: wait for the head to hold still.
  for (let head = '', i = 0; i < 50; i++) {
    const now = (await s.call('GET', '/v1/head')).text;
    if (now === head) break;
    head = now;
    await new Promise((r) => setTimeout(r, 100));
  }
  good = (await s.call('GET', '/v1/export')).text.split('\n').filter((l) => l.length > 0).map((l) => parseRecord(l));
  vkey = (await s.call('GET', '/v1/keys')).json[0].vkey;
  signer = loadKeyFile(join(s.dataDir, 'signing-key.pem'));
}, 60_000);

afterAll(async () => {
  await signer?.close();
  await s?.stop();
});

/** The records as an NDJSON file. */
function write(name: string, lines: string[]): string {
  const file = join(dir, `${name}.ndjson`);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

/** Re-signs records from `from` on with the service's key, each linked to the one before (an attacker holding the key file). */
function resign(records: LogRecord[], from: number): LogRecord[] {
  const out = structuredClone(records);
  for (let i = from; i < out.length; i++) {
    const r = out[i]!;
    if (i > from) r.prev = out[i - 1]!.hash;
    const hash = recordHash(r);
    r.hash = toHex(hash);
    r.sig = toHex(signer.sign(signingMessage(hash)));
  }
  return out;
}

const flipHex = (hex: string): string => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
const lines = (records: LogRecord[]) => records.map((r) => encodeRecord(r));
const nth = (type: string, n: number, epochNull?: boolean) =>
  good.filter((r) => r.type === type && (epochNull === undefined || (r.body.epoch === null) === epochNull))[n]!.seq;

/** The first line of the CLI's verdict for a report. */
function okLine(r: AuditReport): string {
  return `OK chain ${r.chain}: ${r.records} records, seq ${r.firstSeq}–${r.lastSeq}, head ${r.headHash}`;
}

/** The single-threaded path over the lines, with the seeds of their reveals (as the one-thread audit had them). */
function reference(text: string): { line: string; report?: AuditReport } {
  const { name, publicKey } = parseVerifierKey(vkey);
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  const seeds = new Map<string, Uint8Array>();
  for (const l of all) {
    try {
      const r = JSON.parse(l) as LogRecord;
      if (r.type === 'reveal' && !seeds.has(String(r.body.epoch))) seeds.set(String(r.body.epoch), fromHex(String(r.body.seed)));
    } catch {
      // reported in the pass below
    }
  }
  const auditor = new ChainAuditor({ keys: [publicKey], origin: name, seeds, seedsComplete: true });
  let lineNo = 0;
  try {
    for (const l of all) {
      lineNo++;
      if (l.length > 0) auditor.push(parseRecord(l), l);
    }
  } catch (err) {
    if (!(err instanceof VerifyError)) throw err;
    return { line: `FAILED ${err.check}: ${err.message}${err.seq === undefined ? ` (line ${lineNo})` : ''}` };
  }
  const report = auditor.finish();
  return { line: okLine(report), report };
}

async function inProcess(file: string, threads: number): Promise<{ line: string; report?: AuditReport }> {
  const { name, publicKey } = parseVerifierKey(vkey);
  const outcome = await auditParallel(fileInput(file), { keys: [publicKey], origin: name, threads, chunkBytes: 2048 });
  if (outcome.ok) return { line: okLine(outcome.report), report: outcome.report };
  const { error, line } = outcome;
  return { line: `FAILED ${error.check}: ${error.message}${error.seq === undefined && line !== null ? ` (line ${line})` : ''}` };
}

describe('parallel audit: the verdict of the single-threaded path', () => {
  // Built lazily: the log exists only once beforeAll has run.
  const cases: Array<{ name: string; build: () => string[]; expected: () => RegExp }> = [
    { name: 'the log as exported', build: () => lines(good), expected: () => /^OK chain / },
    {
      name: 'a changed byte in a direct outcome',
      build: () => lines(good).map((l, i) => (i === nth('outcome', 2, true) ? l.replace(/"entropy":"([0-9a-f]+)"/, (_, h: string) => `"entropy":"${flipHex(h)}"`) : l)),
      expected: () => new RegExp(`^FAILED HASH: record ${nth('outcome', 2, true)}: `),
    },
    {
      name: 'a changed signature',
      build: () => lines(good.map((r) => (r.seq === nth('outcome', 3, false) ? { ...r, sig: flipHex(r.sig) } : r))),
      expected: () => new RegExp(`^FAILED SIGNATURE: record ${nth('outcome', 3, false)}: `),
    },
    {
      name: 'a broken link, re-signed',
      build: () => {
        const k = nth('commit', 1);
        return lines(resign(good.map((r) => (r.seq === k ? { ...r, prev: '2'.repeat(64) } : r)), k));
      },
      expected: () => new RegExp(`^FAILED LINK: record ${nth('commit', 1)}: prev does not match the previous record hash$`),
    },
    {
      name: 'a forged checkpoint root, note and record re-signed, the chain re-linked after it',
      build: () => {
        const c = nth('checkpoint', 3);
        const smaller = good.find((r) => r.seq === nth('checkpoint', 2))!.body as { root: string };
        const origin = parseVerifierKey(vkey).name;
        const note = signNote(formatCheckpoint({ origin, size: c, root: Buffer.from(smaller.root, 'base64') }), [noteSignerForKey(origin, signer)]);
        const forged = good.map((r) => (r.seq === c ? { ...r, body: { size: c, root: smaller.root, note } } : r));
        return lines(resign(forged, c));
      },
      expected: () => new RegExp(`^FAILED CHECKPOINT: record ${nth('checkpoint', 3)}: checkpoint root is not the root of the ${nth('checkpoint', 3)} records before it$`),
    },
    {
      // The second epoch's first outcome: a shuffle, so swapping two entries always changes it.
      name: 'a wrong seeded result, re-signed',
      build: () => {
        const k = nth('outcome', 6, false);
        const changed = structuredClone(good);
        const result = (changed[k]!.body.draws as Array<{ result: number[] }>)[0]!.result;
        [result[0], result[1]] = [result[1]!, result[0]!];
        return lines(resign(changed, k));
      },
      expected: () => new RegExp(`^FAILED OUTCOME: record ${nth('outcome', 6, false)}: draw 0 \\(`),
    },
    {
      name: 'a wrong direct result, re-signed',
      build: () => {
        const k = nth('outcome', 5, true);
        const changed = structuredClone(good);
        (changed[k]!.body.draws as Array<{ result: unknown }>)[0]!.result = 'not the result';
        return lines(resign(changed, k));
      },
      expected: () => new RegExp(`^FAILED OUTCOME: record ${nth('outcome', 5, true)}: draw 0 \\(`),
    },
    {
      name: 'a line that is not JSON',
      build: () => lines(good).flatMap((l, i) => (i === 30 ? ['{not json', l] : [l])),
      expected: () => /^FAILED FORMAT: record is not JSON \(line 31\)$/,
    },
    {
      name: 'a missing record',
      build: () => lines(good.filter((r) => r.seq !== 40)),
      expected: () => /^FAILED SEQ: record 41: expected seq 40$/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: in-process on 1 and 2 threads, and the CLI with --threads 1 and the default`, { timeout: 30_000 }, async () => {
      const built = c.build();
      const file = write(c.name.replace(/[^a-z]+/g, '-'), built);
      const expected = reference(built.map((l) => `${l}\n`).join(''));
      expect(expected.line).toMatch(c.expected());
      for (const threads of [1, 2]) {
        const got = await inProcess(file, threads);
        expect(got.line, `${threads} threads`).toBe(expected.line);
        if (expected.report) expect(got.report).toEqual(expected.report);
      }
      for (const flags of [['--threads', '1'], []]) {
        const cli = await runCli(['audit', file, '--key', vkey, ...flags]);
        expect(cli.stdout.split('\n')[0], cli.stderr).toBe(expected.line);
        expect(cli.code).toBe(expected.report ? 0 : 1);
        // Not a terminal: no progress line.
        expect(cli.stderr).toBe('');
      }
    });
  }
});

describe('rngseal audit: service, terminal, flags', () => {
  it('--url audits the live chain up to its head, with the verdict of its export', async () => {
    const expected = reference(lines(good).map((l) => `${l}\n`).join(''));
    const live = await runCli(['audit', '--url', s.url, '--key', vkey, '--threads', '2']);
    expect(live.stdout.split('\n')[0], live.stderr).toBe(expected.line);
    expect(live.code).toBe(0);
  });

  it('on a terminal, stderr carries a progress line, erased before the verdict', () => {
    const file = write('terminal', lines(good));
    const command = [process.execPath, BIN, 'audit', file, '--key', vkey].map((a) => `'${a}'`).join(' ');
    // script(1) runs the command on a pseudo-terminal and copies what it writes.
    const run = spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\r\x1b\[Kfirst pass {2}\[[#.]{24}\] +[0-9.]+% {2}[0-9.]+\/[0-9.]+ MB/);
    expect(run.stdout).toMatch(/\r\x1b\[Kaudit {7}\[[#.]{24}\] +[0-9.]+% {2}[0-9,]+ records {2}[0-9,]+ records\/s/);
    expect(run.stdout).toMatch(/\r\x1b\[KOK chain /);
  });

  it('--threads takes an integer from 1 to 256, else a usage error naming it', async () => {
    const file = write('threads', lines(good));
    for (const bad of ['0', 'two', '1.5', '257']) {
      const r = await runCli(['audit', file, '--key', vkey, '--threads', bad]);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain(`rngseal: --threads: must be an integer from 1 to 256, got "${bad}"`);
      expect(r.stderr).toContain('usage: rngseal audit');
    }
  });

  it('progress reaches the whole file: every byte and record', async () => {
    const file = write('progress', lines(good));
    const { publicKey } = parseVerifierKey(vkey);
    const calls: Array<[string, number, number]> = [];
    const outcome = await auditParallel(fileInput(file), { keys: [publicKey], threads: 2, chunkBytes: 4096, onProgress: (...a) => calls.push(a) });
    expect(outcome.ok).toBe(true);
    const firstPass = calls.filter(([phase]) => phase === 'first pass');
    const audit = calls.filter(([phase]) => phase === 'audit');
    expect(firstPass.at(-1)).toEqual(['first pass', 0, statSync(file).size]);
    expect(audit.at(-1)).toEqual(['audit', good.length, statSync(file).size]);
    expect(audit.length).toBeGreaterThan(5);
  });
});

describe('first pass: the hints', () => {
  const pieces = (bytes: Buffer, size: number) => (async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })();

  it('finds every reveal seed and the boot key however the input is cut, with LF or CRLF line ends', async () => {
    const reveals = good.filter((r) => r.type === 'reveal');
    expect(reveals.length).toBeGreaterThan(1);
    const lf = Buffer.from(lines(good).map((l) => `${l}\n`).join(''));
    const crlf = Buffer.from(lines(good).map((l) => `${l}\r\n`).join(''));
    const noFinalNewline = lf.subarray(0, lf.length - 1);
    for (const input of [lf, crlf, noFinalNewline]) {
      for (const size of [1, 7, 700, input.length]) {
        const hints = await firstPass(pieces(input, size));
        expect([...hints.seeds].map(([e, seed]) => [e, toHex(seed)]), `piece size ${size}`)
          .toEqual(reveals.map((r) => [r.body.epoch, r.body.seed]));
        expect([...hints.announced.keys()]).toEqual([good[0]!.key]);
      }
    }
  });

  it('a CRLF export audits as its LF export does, every revealed epoch recomputed', async () => {
    const { publicKey } = parseVerifierKey(vkey);
    const file = join(dir, 'crlf.ndjson');
    writeFileSync(file, lines(good).map((l) => `${l}\r\n`).join(''));
    const outcome = await auditParallel(fileInput(file), { keys: [publicKey], threads: 2, chunkBytes: 2048 });
    expect(outcome.ok && outcome.report).toEqual(reference(lines(good).map((l) => `${l}\n`).join('')).report);
  });
});
