/**
 * @module commands/certify
 * `rngseal certify nist`: the NIST SP 800-22 rev1a battery (p-values as
 * sts-2.1.2 prints them) on M sequences of N bits read from a file, spread
 * over worker threads. Writes the per-sequence p-values and the verdicts as
 * JSON, sts's final analysis report as text, and optionally a plain HTML
 * table. Input is read as sts reads it: binary files bit by bit, most
 * significant bit of each byte first, every sequence starting on a new
 * 4-byte word (stsBinaryBitstreams); ASCII files as '0'/'1' characters with
 * whitespace skipped.
 *
 * `certify outcomes` and `certify report` (the lab report) live in their
 * own modules; certifyCommand dispatches to them.
 */

import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readSync, writeFileSync } from 'node:fs';
import { kMaxLength } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  analyse,
  compactJson,
  formatFinalAnalysisReport,
  packBits,
  parseAsciiBits,
  runBatteryParallel,
  stsBinaryStride,
  summarise,
  summaryHtml,
  TEST_NAMES,
  type PoolSequence,
  type TestResult,
  type TestName,
} from '@rngseal/certification';
import { parse, run, UsageError, writeJsonAndSummary } from './args.js';
import { certifyOutcomesCommand } from './certify-outcomes.js';
import { certifyReportCommand } from './certify-report.js';
import { softwareIdentity } from '../software.js';

const MAX_BITS = 1_000_000_000;
const MAX_SEQUENCES = 1_000_000;
const MAX_THREADS = 1024;

function wrap(words: readonly string[], width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent.length + line.length + w.length + 2 > width) (lines.push(`${indent}${line},`), (line = ''));
    line += line ? `, ${w}` : w;
  }
  lines.push(indent + line);
  return lines.join('\n');
}

const USAGE = `usage: rngseal certify nist --input FILE --format binary|ascii --bits N --sequences M
                           [--tests NAME,…] [--json OUT] [--html OUT] [--threads K]
  Runs the NIST SP 800-22 rev1a battery (p-values as sts-2.1.2) on M sequences of N bits
  from FILE (- for stdin): binary = bytes, most significant bit first, each sequence starting
  on a new 4-byte word as sts reads them; ascii = '0'/'1' characters, whitespace skipped.
  --tests      comma-separated names, default all:
${wrap(TEST_NAMES, 90, '                 ')}
  --json OUT   per-sequence p-values and verdicts (default: stdout; the report then goes to stderr)
  --html OUT   the same as a self-contained HTML table
  --threads K  worker threads (default: ${availableParallelism()}, this machine's parallelism)
  Exit status 0 when the battery ran, whatever its verdict; 1 on an error; 2 on a usage error.
Also: rngseal certify outcomes --help (outcome-level tests), rngseal certify report --help (the lab report).`;

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  outcomes: certifyOutcomesCommand,
  report: certifyReportCommand,
};

const FLAGS = {
  input: { type: 'string' },
  format: { type: 'string' },
  bits: { type: 'string' },
  sequences: { type: 'string' },
  tests: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  threads: { type: 'string' },
} as const;

export async function certifyCommand(args: string[]): Promise<number> {
  const sub = args[0] === undefined ? undefined : SUBCOMMANDS[args[0]];
  if (sub) return sub(args.slice(1));
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, FLAGS, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const [battery, ...extra] = positionals;
    if (battery === undefined) throw new UsageError('name the battery: rngseal certify nist …');
    if (battery !== 'nist') throw new UsageError(`unknown battery ${JSON.stringify(battery)} (rngseal certify nist, certify outcomes, certify report)`);
    if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);

    if (values.input === undefined) throw new UsageError('--input: required (a file of bits, or - for stdin)');
    const format = values.format;
    if (format === undefined) throw new UsageError('--format: required (binary or ascii)');
    if (format !== 'binary' && format !== 'ascii') throw new UsageError(`--format: must be binary or ascii, got ${JSON.stringify(format)}`);
    const n = intFlag('--bits', values.bits, 1, MAX_BITS);
    const m = intFlag('--sequences', values.sequences, 1, MAX_SEQUENCES);
    const tests = values.tests === undefined ? undefined : testsFlag(values.tests);
    const threads = values.threads === undefined ? availableParallelism() : intFlag('--threads', values.threads, 1, MAX_THREADS);
    if (values.json === '') throw new UsageError('--json: must be a file name, or - for stdout');
    if (values.html === '' || values.html === '-') throw new UsageError('--html: must be a file name');
    const holdable = format === 'binary' ? m * stsBinaryStride(n) : m * n; // bytes held in memory
    if (holdable > kMaxLength) {
      throw new UsageError(`--sequences ${m} × --bits ${n}: ${holdable} bytes is more than one run can hold (${kMaxLength}); split the run`);
    }
    for (const flag of ['json', 'html'] as const) {
      const out = values[flag];
      if (out !== undefined && out !== '-') checkWritable(`--${flag}`, out);
    }

    const input = values.input === '-' ? '/dev/stdin' : values.input;
    const { sequences, sha256 } = format === 'binary' ? readBinary(input, n, m) : readAscii(input, n, m);

    const progress = process.stderr.isTTY ? new ProgressBar(m) : undefined;
    let perSequence: TestResult[][];
    try {
      perSequence = await runBatteryParallel(sequences, {
        threads,
        ...(tests ? { tests } : {}),
        ...(progress ? { onProgress: (done: number) => progress.update(done) } : {}),
      });
    } finally {
      progress?.finish();
    }

    const analysis = analyse(perSequence);
    const summary = summarise(perSequence, { bits: n, analysis, extra: { bitsSha256: sha256, software: softwareIdentity() } });
    const report = formatFinalAnalysisReport(analysis, values.input) + verdictLine(summary.tests);
    const json = `${compactJson(summary)}\n`;
    if (values.html !== undefined) writeFileSync(values.html, summaryHtml(summary, `NIST SP 800-22: ${values.input}`));
    writeJsonAndSummary(values.json, json, report);
    return 0;
  });
}

function intFlag(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined) throw new UsageError(`${flag}: required`);
  const v = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${flag}: must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return v;
}

function testsFlag(value: string): TestName[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UsageError(`--tests: name at least one test (${TEST_NAMES.join(', ')})`);
  return names.map((name) => {
    const found = TEST_NAMES.find((t) => t.toLowerCase() === name.toLowerCase());
    if (!found) throw new UsageError(`--tests: unknown test ${JSON.stringify(name)} (tests: ${TEST_NAMES.join(', ')})`);
    return found;
  });
}

/** Fails before the battery runs, not after, when an output cannot be written. */
function checkWritable(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new Error(`${flag} ${path}: cannot write to directory ${dir}`);
  }
}

interface Input {
  sequences: PoolSequence[];
  /** SHA-256 of the tested bits: each sequence packed MSB first, zero-padded to a byte, concatenated. */
  sha256: string;
}

/** Opens the input, naming --input in the error. */
function openInput(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (err) {
    throw new Error(`--input ${path}: ${(err as Error).message}`);
  }
}

const CHUNK = 1 << 24;

/** Reads `into` from the start of the file, up to its length; returns the bytes read (fewer only at end of file). Works on pipes and devices. */
function readInto(path: string, into: Uint8Array): number {
  const fd = openInput(path);
  try {
    let got = 0;
    while (got < into.length) {
      const r = readSync(fd, into, got, Math.min(into.length - got, CHUNK), null);
      if (r === 0) break;
      got += r;
    }
    return got;
  } finally {
    closeSync(fd);
  }
}

/** Calls `take(chunk, offset)` on successive chunks of the file until it returns false or the file ends. */
function readChunks(path: string, take: (chunk: Buffer, offset: number) => boolean): void {
  const fd = openInput(path);
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let offset = 0; ; ) {
      const r = readSync(fd, buf, 0, CHUNK, null);
      if (r === 0 || !take(buf.subarray(0, r), offset)) return;
      offset += r;
    }
  } finally {
    closeSync(fd);
  }
}

function readBinary(path: string, n: number, m: number): Input {
  const stride = stsBinaryStride(n);
  const need = m * stride;
  const bytes = new Uint8Array(need);
  const got = readInto(path, bytes);
  if (got < need) {
    const fit = Math.floor(got / stride);
    throw new Error(
      `--input ${path}: ${got} bytes hold ${fit} sequence${fit === 1 ? '' : 's'} of ${n} bits ` +
        `(${stride} bytes each, as sts reads them); --sequences ${m} × --bits ${n} needs ${need} bytes`,
    );
  }
  const hash = createHash('sha256');
  const used = Math.ceil(n / 8);
  const sequences: PoolSequence[] = [];
  for (let i = 0; i < m; i++) {
    const seq = bytes.subarray(i * stride, i * stride + stride);
    sequences.push({ bytes: seq, nBits: n });
    if (n % 8 === 0) hash.update(seq.subarray(0, used));
    else {
      hash.update(seq.subarray(0, used - 1));
      hash.update(Uint8Array.of(seq[used - 1]! & (0xff << (8 - (n % 8)))));
    }
  }
  return { sequences, sha256: hash.digest('hex') };
}

function readAscii(path: string, n: number, m: number): Input {
  const need = m * n;
  const bits = new Uint8Array(need);
  let got = 0;
  readChunks(path, (chunk, offset) => {
    const text = chunk.toString('latin1');
    let parsed: Uint8Array;
    try {
      parsed = parseAsciiBits(text, need - got);
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
      const at = text.search(/[^01 \t\n\r\v\f]/);
      throw new Error(`--input ${path}: not a file of '0'/'1' characters: byte ${JSON.stringify(text[at])} at offset ${offset + at}`);
    }
    bits.set(parsed, got);
    got += parsed.length;
    return got < need;
  });
  if (got < need) {
    throw new Error(`--input ${path}: holds ${got} bits ('0'/'1' characters); --sequences ${m} × --bits ${n} needs ${need}`);
  }
  const hash = createHash('sha256');
  const sequences: PoolSequence[] = [];
  for (let i = 0; i < m; i++) {
    const seq = bits.subarray(i * n, (i + 1) * n);
    sequences.push(seq);
    hash.update(packBits(seq));
  }
  return { sequences, sha256: hash.digest('hex') };
}

function verdictLine(tests: { name: string; passed: boolean; applicable: boolean }[]): string {
  const failed = tests.filter((t) => t.applicable && !t.passed).map((t) => t.name);
  const na = tests.filter((t) => !t.applicable).map((t) => t.name);
  const passed = tests.length - failed.length - na.length;
  return (
    `\n${passed} of ${tests.length} tests passed` +
    (failed.length ? `; FAILED: ${failed.join(', ')}` : '') +
    (na.length ? `; not applicable: ${na.join(', ')}` : '') +
    '\n'
  );
}

/** "[#####-----] 37/100 sequences  4.2 seq/s  ETA 0:15" on a terminal's stderr. */
class ProgressBar {
  private readonly start = performance.now();
  private last = 0;

  constructor(private readonly total: number) {
    this.draw(0);
  }

  update(done: number): void {
    const now = performance.now();
    if (done < this.total && now - this.last < 100) return;
    this.last = now;
    this.draw(done);
  }

  finish(): void {
    process.stderr.write('\r\x1b[K');
  }

  private draw(done: number): void {
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    const seconds = (performance.now() - this.start) / 1000;
    const rate = done > 0 ? done / seconds : 0;
    const eta = done > 0 ? clock(((this.total - done) * seconds) / done) : '--:--';
    process.stderr.write(
      `\r\x1b[K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total} sequences  ${rate.toFixed(1)} seq/s  ETA ${eta}`,
    );
  }
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
