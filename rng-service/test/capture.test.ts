/**
 * `rngseal capture` and `rngseal rng-stream` on the deterministic simulator:
 * the raw stage is the simulator's stream from the start-up offset on (and
 * exactly what the conditioner absorbs), the conditioned stage is the
 * CTR_DRBG seeded from it, outcomes are the service's direct draws, flags
 * are checked, health failures stop the capture, and rng-stream ends cleanly
 * when its reader closes the pipe.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CtrDrbg, FIPS140_BLOCK_BYTES, generateBytes, SimSource, startupByteCount } from '@rngseal/drivers';
import { computeDraws } from '@rngseal/verifier';
import { analyseOutcomes, parseOutcomeCsv } from '../../certification/src/outcomes/index.js';
import { captureCommand } from '../src/commands/capture.js';
import { SourceChannel } from '../src/entropy/channel.js';
import { BIN, runCli, tempDir } from './helper.js';

const dir = tempDir('rngseal-capture-');
const sim = () => new SimSource({ seed: '1' });
const STARTUP = startupByteCount(8); // 1,024 bytes of start-up samples

async function capture(name: string, ...args: string[]): Promise<{ file: string; code: number | null; stderr: string }> {
  const file = join(dir, name);
  const r = await runCli(['capture', '--source', 'sim:seed=1', '--out', file, ...args]);
  return { file, code: r.code, stderr: r.stderr };
}

describe('capture --stage raw', () => {
  it('is the simulator stream from the start-up offset on, with a manifest', async () => {
    const { file, code, stderr } = await capture('raw.bin', '--stage', 'raw', '--bytes', '100000');
    expect(code).toBe(0);
    expect(STARTUP).toBe(1024);
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(sim().bytesAt(STARTUP, 100_000)))).toBe(true);
    expect(stderr).toMatch(/^capture: raw, 100000 bytes from sim:seed=1 .* start-up tests on the first 1024 bytes \(not in the output\); FIPS 140-2 blocks 40 passed, 0 rejected; sha256 [0-9a-f]{64}\n$/);
    const manifest = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
    expect(manifest).toMatchObject({ stage: 'raw', bytes: 100_000, raw: { startupBytes: 1024, firstOffset: 1024, blocksRejected: 0 }, options: { healthAlpha: '2^-20', rejected: 'drop' } });
    expect(manifest.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('drops a FIPS 140-2-rejected block as the pipeline does, or keeps it, and says so either way', async () => {
    // sim:seed=1 has one block failing the FIPS runs test, at stream offset 893,524.
    const drop = await capture('drop.bin', '--stage', 'raw', '--bytes', '1000000');
    const keep = await capture('keep.bin', '--stage', 'raw', '--bytes', '1000000', '--rejected', 'keep');
    expect(drop.stderr).toContain('400 passed, 1 rejected (dropped; at stream offsets 893524)');
    expect(keep.stderr).toContain('399 passed, 1 rejected (KEPT in the output; at stream offsets 893524)');
    const bad = 893_524;
    expect(JSON.parse(readFileSync(`${drop.file}.json`, 'utf8')).raw.rejected).toEqual([{ offset: bad, failed: ['runs'] }]);
    const stream = Buffer.from(sim().bytesAt(STARTUP, 1_010_000));
    expect(Buffer.from(readFileSync(keep.file)).equals(stream.subarray(0, 1_000_000))).toBe(true);
    const without = Buffer.concat([stream.subarray(0, bad - STARTUP), stream.subarray(bad - STARTUP + FIPS140_BLOCK_BYTES)]);
    expect(Buffer.from(readFileSync(drop.file)).equals(without.subarray(0, 1_000_000))).toBe(true);
  });

  it('is exactly what the conditioner absorbs: SHA-256 of each 40 raw bytes = the channel blocks', async () => {
    const raw = readFileSync(join(dir, 'raw.bin'));
    const channel = new SourceChannel(sim());
    channel.start();
    try {
      const end = Date.now() + 5000;
      while (channel.available < 8 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 8; i++) {
        const expected = createHash('sha256').update(raw.subarray(40 * i, 40 * i + 40)).digest();
        expect(Buffer.from(channel.take()!).equals(expected), `block ${i}`).toBe(true);
      }
    } finally {
      await channel.stop();
    }
  });

  it('stops on a health-test failure, leaving only FILE.partial', async () => {
    const file = join(dir, 'stuck.bin');
    const r = await runCli(['capture', '--source', 'sim:seed=1,fault=stuck,at=5000', '--stage', 'raw', '--bytes', '100000', '--out', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed the continuous RCT at sample \d+.*the service would quarantine it/);
    expect(r.stderr).toContain('stuck.bin.partial — not a valid capture');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(true);
  });
});

describe('capture --stage conditioned', () => {
  it('has the right length, passes monobit, and is the CTR_DRBG seeded from the conditioned raw blocks', async () => {
    const { file, code, stderr } = await capture('cond.bin', '--stage', 'conditioned', '--bytes', '64K');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^capture: conditioned, 65536 bytes/);
    const out = readFileSync(file);
    expect(out.length).toBe(65_536);
    let ones = 0;
    for (const b of out) for (let x = b; x; x >>= 1) ones += x & 1;
    const n = out.length * 8;
    expect(Math.abs(ones - n / 2)).toBeLessThan(4 * Math.sqrt(n) / 2); // 4σ
    // Independently: blocks = SHA-256 of 40-byte raw pieces; DRBG instantiated with block 0,
    // nonce = first 16 bytes of block 1, personalization 'rngseal/drbg/v1'; 4 KiB per generate.
    const raw = Buffer.from(sim().bytesAt(STARTUP, 80));
    const block = (i: number) => new Uint8Array(createHash('sha256').update(raw.subarray(40 * i, 40 * i + 40)).digest());
    const drbg = new CtrDrbg({ derivationFunction: true });
    drbg.instantiate(block(0), block(1).subarray(0, 16), new TextEncoder().encode('rngseal/drbg/v1'));
    const expected = Buffer.concat(Array.from({ length: 16 }, () => generateBytes(drbg, 4096)));
    expect(out.equals(expected)).toBe(true);
  });

  it('stops when a source fails (reseeding every draw so the source is read)', async () => {
    const file = join(dir, 'cond-stuck.bin');
    const r = await runCli(['capture', '--source', 'sim:seed=1,fault=stuck,at=20000', '--stage', 'conditioned', '--bytes', '10M', '--reseed-count', '1', '--out', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed RCT.*the service would stop drawing/);
    expect(existsSync(file)).toBe(false);
  });
});

describe('capture --stage outcomes', () => {
  it("writes the service's direct draws: key i = conditioned bytes 32i…32i+31, computeDraws(key, '', 0)", async () => {
    const { file, code, stderr } = await capture('dice.csv', '--stage', 'outcomes', '--count', '500', '--game', 'dice:count=2,sides=6');
    expect(code).toBe(0);
    expect(stderr).toMatch(/^capture: outcomes, 500 outcomes/);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('game=dice@1,count=2,sides=6');
    expect(lines).toHaveLength(502); // header, 500 rows, final newline
    const cond = readFileSync(join(dir, 'cond.bin'));
    const spec = { mapping: 'dice@1', params: { count: 2, sides: 6 } };
    for (let i = 0; i < 500; i++) {
      const [draw] = computeDraws(new Uint8Array(cond.subarray(32 * i, 32 * i + 32)), '', 0, [spec]);
      expect(lines[i + 1], `row ${i}`).toBe((draw!.result as number[]).join(' '));
    }
  });

  it('writes valid rows for every game, and a good capture passes the outcome battery', async () => {
    const games: [string, (row: number[]) => boolean][] = [
      ['draw:n=80,k=20', (r) => r.length === 20 && new Set(r).size === 20 && r.every((v) => v >= 1 && v <= 80)],
      ['shuffle:n=52', (r) => r.length === 52 && [...r].sort((a, b) => a - b).every((v, i) => v === i)],
      ['range:min=1,max=100', (r) => r.length === 1 && r[0]! >= 1 && r[0]! <= 100],
      ['float', (r) => r.length === 1 && r[0]! >= 0 && r[0]! < 2 ** 52],
      ['weighted:weights=1 2 0 3', (r) => r.length === 1 && [0, 1, 3].includes(r[0]!)],
      ['reels:{"reels":[[1,2],[3,0,1]]}', (r) => r.length === 2 && r[0]! <= 1 && [0, 2].includes(r[1]!)],
    ];
    for (const [game, valid] of games) {
      const { file, code, stderr } = await capture(`${game.split(':')[0]}.csv`, '--stage', 'outcomes', '--count', '200', '--game', game);
      expect(code, stderr).toBe(0);
      const csv = parseOutcomeCsv(readFileSync(file, 'utf8'));
      expect(csv.rows, game).toHaveLength(200);
      expect(csv.rows.every(valid), game).toBe(true);
    }
    const { file } = await capture('dice6000.csv', '--stage', 'outcomes', '--count', '6000', '--game', 'dice:count=1,sides=6');
    const report = analyseOutcomes(parseOutcomeCsv(readFileSync(file, 'utf8')));
    const results = report.entries.filter((e) => e.result);
    expect(results.length).toBeGreaterThanOrEqual(6);
    expect(results.filter((e) => e.result!.pValue < 1e-6).map((e) => e.label)).toEqual([]);
  });
});

describe('capture flags', () => {
  const cases: [string[], RegExp][] = [
    [['--source', 'sim', '--out', 'x'], /--stage is required/],
    [['--source', 'sim', '--stage', 'cooked', '--bytes', '1', '--out', 'x'], /--stage: unknown stage 'cooked'/],
    [['--stage', 'raw', '--bytes', '1', '--out', 'x'], /--source is required/],
    [['--source', 'sim', '--stage', 'raw', '--bytes', '1'], /--out FILE is required/],
    [['--source', 'sim', '--stage', 'raw', '--out', 'x'], /--stage raw needs --bytes N/],
    [['--source', 'sim', '--stage', 'raw', '--bytes', '12X', '--out', 'x'], /--bytes: must be a positive number of bytes.*'12X'/],
    [['--source', 'sim', '--stage', 'outcomes', '--bytes', '10', '--out', 'x'], /--bytes is for the raw and conditioned stages/],
    [['--source', 'sim', '--stage', 'outcomes', '--count', '10', '--out', 'x'], /needs --game GAME/],
    [['--source', 'sim', '--stage', 'outcomes', '--count', '10', '--game', 'roulette', '--out', 'x'], /--game: unknown game 'roulette'/],
    [['--source', 'sim', '--stage', 'outcomes', '--count', '10', '--game', 'dice:count=2,sides=1', '--out', 'x'], /--game: dice: sides: must be an integer from 2/],
    [['--source', 'sim', '--stage', 'outcomes', '--count', '0', '--game', 'float', '--out', 'x'], /--count: must be a positive integer/],
    [['--source', 'sim', '--stage', 'raw', '--count', '10', '--out', 'x'], /--count and --game are for --stage outcomes/],
    [['--source', 'sim:seed=1+sim:seed=2', '--stage', 'raw', '--bytes', '10', '--out', 'x'], /--stage raw captures one source at a time/],
    [['--source', 'nope', '--stage', 'raw', '--bytes', '10', '--out', 'x'], /--source: .*unknown source kind 'nope'/],
    [['--source', 'sim', '--stage', 'conditioned', '--bytes', '10', '--rejected', 'keep', '--out', 'x'], /--rejected applies to --stage raw only/],
    [['--source', 'sim', '--stage', 'raw', '--bytes', '10', '--health-alpha', '3', '--out', 'x'], /--health-alpha: must be an integer from 20 to 40/],
    [['--source', 'sim', '--stage', 'raw', '--bytes', '10', '--bogus', '--out', 'x'], /Unknown option '--bogus'/],
  ];
  it('names the bad flag, with the usage and exit status 2', async () => {
    // In-process: the command returns its exit status and writes the message to stderr.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const [args, message] of cases) {
        stderr.mockClear();
        const code = await captureCommand(args);
        const text = stderr.mock.calls.map((c) => String(c[0])).join('');
        expect(code, args.join(' ')).toBe(2);
        expect(text, args.join(' ')).toMatch(message);
        expect(text).toContain('usage: rngseal capture');
      }
    } finally {
      stderr.mockRestore();
    }
  });

  it('refuses to overwrite an existing file without --force', async () => {
    const file = join(dir, 'exists.bin');
    writeFileSync(file, 'keep me');
    const r = await runCli(['capture', '--source', 'sim', '--stage', 'raw', '--bytes', '10', '--out', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('exists (use --force to overwrite)');
    expect(readFileSync(file, 'utf8')).toBe('keep me');
  });
});

/** Runs a shell pipeline; resolves with its stdout and stderr. */
function sh(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('rng-stream', () => {
  const rngseal = `'${process.execPath}' '${BIN}' rng-stream`;

  it('stops cleanly, exit 0, when the reader closes the pipe (head -c)', async () => {
    const started = Date.now();
    const r = await sh(`${rngseal} --source sim:seed=1 --stage conditioned | head -c 100000 | wc -c; echo "status \${PIPESTATUS[0]}"`);
    expect(r.stdout).toBe('100000\nstatus 0\n');
    expect(r.stderr).toMatch(/^rng-stream: conditioned, \d+ bytes from sim:seed=1 .*; the reader closed the pipe\n$/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('streams the raw stage from the start-up offset on, and stops at --bytes', async () => {
    const out = join(dir, 'stream-raw.bin');
    const r = await sh(`${rngseal} --source sim:seed=1 --stage raw --bytes 30000 > '${out}'; echo "status $?"`);
    expect(r.stdout).toBe('status 0\n');
    expect(r.stderr).toMatch(/raw, 30000 bytes .*FIPS 140-2 blocks 12 passed, 0 rejected \(dropped\); limit of 30000 bytes reached/);
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(sim().bytesAt(STARTUP, 30_000)))).toBe(true);
    const quiet = await sh(`${rngseal} --source sim:seed=1 --stage raw --quiet | head -c 10 | wc -c`);
    expect(quiet.stderr).toBe('');
  });

  it('exits 1 with the reason when the source fails mid-stream, and names bad flags', async () => {
    const r = await sh(`${rngseal} --source sim:seed=1,fault=stuck,at=50000 --stage raw | wc -c; echo "status \${PIPESTATUS[0]}"`);
    expect(r.stdout).toMatch(/^\d+\nstatus 1\n$/);
    expect(r.stderr).toMatch(/stopped: sim:seed=1,fault=stuck,at=50000,value=0 failed the continuous RCT/);
    const bad = await sh(`${rngseal} --source sim --stage outcomes | wc -c`);
    expect(bad.stderr).toMatch(/--stage: unknown stage 'outcomes' \(raw, conditioned\)/);
  });
});
