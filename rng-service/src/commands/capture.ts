/**
 * @module commands/capture
 * `rngseal capture`: writes what the entropy pipeline produces at one stage
 * to a file, for certification labs (docs/capture.md):
 *
 * - `raw` — the source's own bytes, after the health tests the service runs
 *   on them, before any conditioning (labs' "before scaling" data). Exactly
 *   the pipeline's path (entropy/channel.ts): the first
 *   startupByteCount(sampleBits) bytes (1,024 for 8-bit samples) go to the
 *   SP 800-90B start-up tests and are not part of the output; every later
 *   chunk goes through the RCT and APT; the stream is cut into 2,500-byte
 *   blocks and each is tested with the FIPS 140-2 battery. Blocks that pass
 *   are written: the bytes the SHA-256 conditioner absorbs. A block that
 *   fails is dropped, as the pipeline drops it (`--rejected drop`, the
 *   default), or kept (`--rejected keep`: the contiguous source stream);
 *   either way it is counted in the summary and listed with its stream
 *   offset in the manifest. An RCT/APT failure, or three failed FIPS blocks
 *   in a row, is where the service would quarantine the source: the capture
 *   stops with an error. One source at a time.
 * - `conditioned` — the CTR_DRBG output, drawn with HardwareEntropy.draw()
 *   exactly as the service draws (32 bytes per draw by default: the size of
 *   an outcome key), reseeding as the service does (every reseed-count
 *   draws or reseed-ms).
 * - `outcomes` — game outcomes drawn as the service draws a direct outcome:
 *   a fresh 32-byte key from the pipeline per outcome, then
 *   computeDraws(key, '', 0, [game]) — client seed '' and nonce 0, as a
 *   direct draw without a client seed. Written as CSV: a header
 *   `game=dice@1,count=2,sides=6`, then one outcome per line, arrays joined
 *   with spaces.
 *
 * The output is written to FILE.partial and renamed to FILE when complete;
 * FILE.json (the manifest) records the source, stage, options, counts,
 * rejected blocks, the SHA-256 of FILE, start and end time, the command
 * line and the software identity (what the lab report, docs/lab-report.md,
 * shows as the run's metadata).
 *
 * Shared with rng-stream.ts: the stage producers (rawBlocks,
 * conditionedChunks), the option parsing and the progress line.
 */

import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, openSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  createSource, FIPS140_BLOCK_BYTES, Fips140Battery, HealthMonitor, parseSourceSpec, startupByteCount, startupTest,
  type EntropySource, type HealthFailure, type SourceIdentity,
} from '@rngseal/drivers';
import { computeDraws, mappingByName, SEED_BYTES, type DrawSpec, type Json, type Params } from '@rngseal/verifier';
import { EntropyUnavailableError } from '../entropy/entropy.js';
import { HardwareEntropy } from '../entropy/hardware.js';
import type { ChannelFailure } from '../entropy/channel.js';
import { nodeMac } from '../node-crypto.js';
import { softwareIdentity } from '../software.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal capture --source SPEC --stage raw|conditioned|outcomes --out FILE
                       (--bytes N | --count N --game GAME) [options]
  --source SPEC        entropy source(s), as for serve (raw: exactly one source)
  --stage raw          health-tested source bytes, before conditioning
          conditioned  CTR_DRBG output, drawn as the service draws
          outcomes     game outcomes, one CSV line each
  --bytes N            raw/conditioned: bytes to write (suffix K, M, G = KiB, MiB, GiB)
  --count N --game G   outcomes: N outcomes of game G, e.g. dice:count=2,sides=6  draw:n=80,k=20
                       shuffle:n=52  range:min=1,max=100  float  weighted:weights=1 2 3
                       reels:reels=1 2 3|4 5 6 (or name:{JSON params})
  --rejected drop|keep raw: FIPS 140-2-rejected blocks dropped as the pipeline does (default) or kept
  --draw-size N        conditioned: bytes per draw (default 32, as the service draws keys)
  --health-alpha N     health-test false alarm rate 2^-N (default 20, as serve)
  --reseed-ms N, --reseed-count N   DRBG reseed interval (defaults 60000, 100000, as serve)
  --force              overwrite FILE if it exists
Progress on stderr when it is a terminal; a one-line summary always. FILE.json is the manifest.`;

export type Stage = 'raw' | 'conditioned' | 'outcomes';

/** Options of the stage producers, shared with rng-stream. */
export interface StageOptions {
  /** Health-test false alarm rate α = 2^-alphaBits. */
  alphaBits: number;
  alpha: number;
  reseedMs: number;
  reseedCount: number;
  drawSize: number;
  rejected: 'drop' | 'keep';
}

export const STAGE_OPTIONS = {
  source: { type: 'string' },
  stage: { type: 'string' },
  bytes: { type: 'string' },
  rejected: { type: 'string' },
  'draw-size': { type: 'string' },
  'health-alpha': { type: 'string' },
  'reseed-ms': { type: 'string' },
  'reseed-count': { type: 'string' },
} as const;

export async function captureCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, {
      ...STAGE_OPTIONS,
      count: { type: 'string' },
      game: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean' },
    });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const stage = parseStage(values.stage, ['raw', 'conditioned', 'outcomes']);
    if (!values.source) throw new UsageError('--source is required (e.g. --source hwrng, --source sim:seed=1)');
    if (!values.out) throw new UsageError('--out FILE is required');
    const options = parseStageOptions(values, stage);
    let limit: { bytes: number } | { count: number; spec: DrawSpec };
    if (stage === 'outcomes') {
      if (values.bytes !== undefined) throw new UsageError('--bytes is for the raw and conditioned stages; outcomes take --count N --game GAME');
      if (values.count === undefined) throw new UsageError('--stage outcomes needs --count N');
      if (values.game === undefined) throw new UsageError('--stage outcomes needs --game GAME (e.g. dice:count=2,sides=6)');
      limit = { count: parseCount(values.count, '--count'), spec: parseGame(values.game) };
    } else {
      if (values.count !== undefined || values.game !== undefined) throw new UsageError(`--count and --game are for --stage outcomes; ${stage} takes --bytes N`);
      if (values.bytes === undefined) throw new UsageError(`--stage ${stage} needs --bytes N`);
      limit = { bytes: parseSize(values.bytes, '--bytes') };
    }
    const out = values.out;
    if (existsSync(out) && !values.force) throw new UsageError(`${out} exists (use --force to overwrite)`);
    const sources = openSources(values.source, stage);
    return capture({ stage, sourceText: values.source, sources, options, limit, out, command: ['rngseal', 'capture', ...args] });
  });
}

interface CaptureJob {
  stage: Stage;
  sourceText: string;
  sources: EntropySource[];
  options: StageOptions;
  limit: { bytes: number } | { count: number; spec: DrawSpec };
  out: string;
  /** argv as typed, for the manifest. */
  command: string[];
}

async function capture(job: CaptureJob): Promise<number> {
  const partial = `${job.out}.partial`;
  const file = createWriteStream('', { fd: openSync(partial, 'w') }); // fails here, before any source is opened, if FILE cannot be written
  let fileError: Error | null = null;
  file.on('error', (err) => (fileError = err));
  const sha = createHash('sha256');
  const progress = new Progress('capture', job.stage, 'bytes' in job.limit ? job.limit.bytes : job.limit.count, 'bytes' in job.limit ? 'bytes' : 'outcomes');
  const started = new Date();
  let written = 0;
  let items = 0;
  const write = async (chunk: Uint8Array) => {
    if (fileError) throw fileError;
    sha.update(chunk);
    written += chunk.length;
    if (!file.write(chunk)) await drained(file);
  };
  let raw: RawStats | undefined;
  let pipeline: Pipeline | undefined;
  try {
    if (job.stage === 'raw') {
      const tap = new RawTap(job.sources[0]!, job.options);
      raw = tap.stats;
      const limit = (job.limit as { bytes: number }).bytes;
      for await (const block of tap.blocks()) {
        const piece = block.subarray(0, Math.min(block.length, limit - written));
        await write(piece);
        items = written;
        progress.update(written);
        if (written >= limit) break;
      }
    } else {
      pipeline = await startPipeline(job.sources, job.options);
      if (job.stage === 'conditioned') {
        const limit = (job.limit as { bytes: number }).bytes;
        for await (const chunk of conditionedChunks(pipeline, job.options, limit)) {
          await write(chunk);
          items = written;
          progress.update(written);
        }
      } else {
        const { count, spec } = job.limit as { count: number; spec: DrawSpec };
        await write(utf8(`${csvHeader(spec)}\n`));
        for await (const lines of outcomeLines(pipeline, spec, count)) {
          await write(utf8(lines.text));
          items += lines.count;
          progress.update(items);
        }
      }
    }
    await closeFile(file);
  } catch (err) {
    file.destroy();
    progress.clear();
    await pipeline?.hardware.stop().catch(() => {});
    if (job.stage === 'raw') await job.sources[0]!.close().catch(() => {});
    process.stderr.write(`rngseal: capture stopped after ${written} bytes: ${(err as Error).message}\n` + `rngseal: the incomplete output is ${partial} — not a valid capture\n`);
    return 1;
  }
  await pipeline?.hardware.stop();
  renameSync(partial, job.out);
  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  const digest = sha.digest('hex');
  const manifest = {
    tool: 'rngseal capture',
    command: job.command,
    software: softwareIdentity(),
    stage: job.stage,
    source: job.sourceText,
    sources: job.sources.map((s) => ({ ...s.identity, sampleBits: s.sampleBits, minEntropy: s.minEntropy })) as unknown as Json[],
    file: job.out,
    bytes: written,
    sha256: digest,
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds,
    options: {
      healthAlpha: `2^-${job.options.alphaBits}`,
      ...(job.stage === 'raw' ? { rejected: job.options.rejected } : { reseedMs: job.options.reseedMs, reseedCount: job.options.reseedCount }),
      ...(job.stage === 'conditioned' && { drawSize: job.options.drawSize }),
    },
    ...(raw && { raw: rawManifest(raw) }),
    ...('spec' in job.limit && { outcomes: { count: items, mapping: job.limit.spec.mapping, params: job.limit.spec.params, clientSeed: '', nonce: 0 } }),
  };
  writeFileSync(`${job.out}.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  progress.clear();
  const what = job.stage === 'outcomes' ? `${items} outcomes (${written} bytes of CSV)` : `${written} bytes`;
  const rawNote = raw ? `; ${describeRaw(raw, job.options.rejected)}` : '';
  process.stderr.write(`capture: ${job.stage}, ${what} from ${job.sourceText} → ${job.out} in ${seconds.toFixed(2)} s (${rate(written, seconds)})${rawNote}; sha256 ${digest}\n`);
  return 0;
}

// ---------------------------------------------------------------- options

export function parseStage<S extends string>(text: string | undefined, allowed: readonly S[]): S {
  if (text === undefined) throw new UsageError(`--stage is required (${allowed.join(', ')})`);
  if (!allowed.includes(text as S)) throw new UsageError(`--stage: unknown stage '${text}' (${allowed.join(', ')})`);
  return text as S;
}

export function parseStageOptions(values: Partial<Record<keyof typeof STAGE_OPTIONS, string>>, stage: Stage): StageOptions {
  const rejected = values.rejected ?? 'drop';
  if (rejected !== 'drop' && rejected !== 'keep') throw new UsageError(`--rejected: must be drop or keep, got '${rejected}'`);
  if (values.rejected !== undefined && stage !== 'raw') throw new UsageError('--rejected applies to --stage raw only');
  if (values['draw-size'] !== undefined && stage !== 'conditioned') throw new UsageError('--draw-size applies to --stage conditioned only');
  const int = (flag: string, text: string | undefined, dflt: number, min: number, max: number) => {
    if (text === undefined) return dflt;
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag}: must be an integer from ${min} to ${max}, got '${text}'`);
    return n;
  };
  const alphaBits = int('--health-alpha', values['health-alpha'], 20, 20, 40);
  return {
    alphaBits,
    alpha: 2 ** -alphaBits,
    reseedMs: int('--reseed-ms', values['reseed-ms'], 60_000, 100, 86_400_000),
    reseedCount: int('--reseed-count', values['reseed-count'], 100_000, 1, 1_000_000_000),
    drawSize: int('--draw-size', values['draw-size'], SEED_BYTES, 1, 65_536),
    rejected,
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

/** A byte count: digits with an optional K, M or G (binary) suffix. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+)([KMG]?)(?:i?B)?$/i.exec(text.trim());
  const n = m ? Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]! : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: must be a positive number of bytes (e.g. 1000000, 64K, 100M, 2G), got '${text}'`);
  return n;
}

function parseCount(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: must be a positive integer, got '${text}'`);
  return n;
}

/**
 * A game: `name`, `name:key=value,…` or `name:{JSON params}`. List values
 * (weights) are separated by spaces or `/`; reels by `|`.
 */
export function parseGame(text: string): DrawSpec {
  const colon = text.indexOf(':');
  const name = (colon < 0 ? text : text.slice(0, colon)).trim();
  const body = colon < 0 ? '' : text.slice(colon + 1).trim();
  const mapping = mappingByName(name);
  if (!mapping) throw new UsageError(`--game: unknown game '${name}' (dice, range, draw, shuffle, weighted, reels, float)`);
  let params: Params = {};
  if (body.startsWith('{')) {
    try {
      params = JSON.parse(body) as Params;
    } catch (err) {
      throw new UsageError(`--game: ${name} params are not valid JSON: ${(err as Error).message}`);
    }
  } else if (body !== '') {
    for (const item of body.split(',')) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new UsageError(`--game: '${item}' is not key=value (e.g. dice:count=2,sides=6)`);
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      const list = (v: string) => v.split(/[\s/]+/).filter(Boolean).map(Number);
      params[key] = key === 'weights' ? list(value) : key === 'reels' ? value.split('|').map(list) : Number(value);
    }
  }
  const problem = mapping.validate(params);
  if (problem) throw new UsageError(`--game: ${name}: ${problem}`);
  return { mapping: mapping.id, params };
}

function openSources(text: string, stage: Stage): EntropySource[] {
  let specs;
  try {
    specs = parseSourceSpec(text);
  } catch (err) {
    throw new UsageError(`--source: ${(err as Error).message}`);
  }
  if (stage === 'raw' && specs.length > 1) {
    throw new UsageError(`--stage raw captures one source at a time: '${text}' names ${specs.length}; run one capture per source`);
  }
  try {
    return specs.map((s) => createSource(s));
  } catch (err) {
    throw new UsageError(`--source: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------- raw stage

export interface RawStats {
  source: SourceIdentity;
  /** Bytes read from the source, start-up bytes included. */
  bytesRead: number;
  startupBytes: number;
  blocksPassed: number;
  blocksRejected: number;
  /** Rejected blocks: offset in the source stream (start-up bytes included) and the FIPS tests failed. */
  rejected: { offset: number; failed: string[] }[];
}

export class HealthStop extends Error {
  override readonly name = 'HealthStop';
}

/**
 * One source's raw bytes through the pipeline's health tests (channel.ts),
 * as FIPS 140-2-tested 2,500-byte blocks. Stops with HealthStop where the
 * pipeline would quarantine the source.
 */
export class RawTap {
  readonly stats: RawStats;
  readonly #params: { sampleBits: 1 | 8; H: number; alpha: number };
  readonly #readChunk = 4096; // the channel's default
  readonly #stallMs = 10_000;

  constructor(
    readonly source: EntropySource,
    readonly options: Pick<StageOptions, 'alpha' | 'rejected'>,
  ) {
    this.#params = { sampleBits: source.sampleBits, H: source.minEntropy, alpha: options.alpha };
    this.stats = { source: source.identity, bytesRead: 0, startupBytes: 0, blocksPassed: 0, blocksRejected: 0, rejected: [] };
  }

  async *blocks(): AsyncGenerator<Uint8Array> {
    const name = this.source.identity.path ? `${this.source.identity.kind}:${this.source.identity.path}` : this.source.identity.kind;
    try {
      await this.source.open();
      const needed = startupByteCount(this.source.sampleBits);
      const startup = new Uint8Array(needed);
      for (let have = 0; have < needed; ) {
        const chunk = await this.#read(needed - have);
        startup.set(chunk, have);
        have += chunk.length;
      }
      this.stats.bytesRead = this.stats.startupBytes = needed;
      const result = startupTest(startup, this.#params);
      if (!result.passed) throw new HealthStop(`${name} failed the start-up tests: ${describeFailure(result.failure!)}`);
      const monitor: HealthMonitor = result.monitor;
      const fips = new Fips140Battery();
      let pending = new Uint8Array(0);
      let streak = 0;
      let blockOffset = needed; // stream offset of pending[0]
      for (;;) {
        const chunk = await this.#read(this.#readChunk);
        const failure = monitor.feed(chunk);
        if (failure) throw new HealthStop(`${name} failed the continuous ${describeFailure(failure)} (stream offset ${this.stats.bytesRead}–${this.stats.bytesRead + chunk.length}); the service would quarantine it`);
        this.stats.bytesRead += chunk.length;
        const joined = new Uint8Array(pending.length + chunk.length);
        joined.set(pending);
        joined.set(chunk, pending.length);
        let at = 0;
        while (joined.length - at >= FIPS140_BLOCK_BYTES) {
          const block = joined.slice(at, at + FIPS140_BLOCK_BYTES);
          at += FIPS140_BLOCK_BYTES;
          const r = fips.testBlock(block);
          if (r.passed) {
            streak = 0;
            this.stats.blocksPassed++;
            yield block;
          } else {
            this.stats.blocksRejected++;
            const failed = (['monobit', 'poker', 'runs', 'longRun', 'continuousRun'] as const).filter((t) => !r[t]);
            this.stats.rejected.push({ offset: blockOffset, failed });
            if (++streak >= 3) throw new HealthStop(`${name}: ${streak} consecutive 2,500-byte blocks failed the FIPS 140-2 battery (last at stream offset ${blockOffset}); the service would quarantine it`);
            if (this.options.rejected === 'keep') yield block;
          }
          blockOffset += FIPS140_BLOCK_BYTES;
        }
        pending = joined.slice(at);
      }
    } finally {
      await this.source.close().catch(() => {});
    }
  }

  async #read(max: number): Promise<Uint8Array> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HealthStop(`no data from the source for ${this.#stallMs} ms (stalled)`)), this.#stallMs);
    });
    try {
      return await Promise.race([this.source.read(max), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function describeFailure(f: HealthFailure): string {
  return `${f.test} at sample ${f.sampleIndex}: count ${f.observed} reached the cutoff ${f.cutoff} (value ${f.value})`;
}

function describeRaw(s: RawStats, rejected: 'drop' | 'keep'): string {
  const first = s.rejected.slice(0, 3).map((r) => r.offset).join(', ');
  const where = s.blocksRejected ? ` (${rejected === 'drop' ? 'dropped' : 'KEPT in the output'}; at stream offsets ${first}${s.blocksRejected > 3 ? ', …' : ''})` : '';
  return `start-up tests on the first ${s.startupBytes} bytes (not in the output); FIPS 140-2 blocks ${s.blocksPassed} passed, ${s.blocksRejected} rejected${where}`;
}

function rawManifest(s: RawStats): Json {
  return {
    startupBytes: s.startupBytes,
    firstOffset: s.startupBytes,
    bytesRead: s.bytesRead,
    fipsBlockBytes: FIPS140_BLOCK_BYTES,
    blocksPassed: s.blocksPassed,
    blocksRejected: s.blocksRejected,
    rejected: s.rejected as unknown as Json,
  };
}

// ---------------------------------------------------------------- pipeline stages

/** The service's pipeline on the capture's sources, and the source failures seen since it started. */
export interface Pipeline {
  hardware: HardwareEntropy;
  failures: ChannelFailure[];
}

export async function startPipeline(sources: EntropySource[], options: StageOptions, timeoutMs = 30_000): Promise<Pipeline> {
  const hardware = new HardwareEntropy(sources, { alpha: options.alpha, reseedMs: options.reseedMs, reseedCount: options.reseedCount });
  const failures: ChannelFailure[] = [];
  hardware.on('failure', (f) => failures.push(f));
  // HardwareEntropy.start() as the service runs it, but a capture gives up at the first
  // failure (the service keeps retrying a source that cannot start) and stops waiting at once.
  for (const c of hardware.channels) c.start();
  const end = Date.now() + timeoutMs;
  try {
    while (!hardware.healthy) {
      const f = failures[0];
      if (f) throw new HealthStop(`${f.source} failed ${f.test} while starting: ${f.detail}`);
      if (Date.now() > end) throw new HealthStop(`sources not healthy after ${timeoutMs} ms: ${JSON.stringify(hardware.sources())}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  } catch (err) {
    await hardware.stop().catch(() => {});
    throw err;
  }
  return { hardware, failures };
}

/** One draw, waiting while the pipeline only lacks conditioned blocks for a reseed; a source failure ends it. */
async function drawFrom(pipeline: Pipeline, n: number): Promise<Uint8Array> {
  for (let waited = 0; ; waited++) {
    const failure = pipeline.failures[0];
    if (failure) throw new HealthStop(`${failure.source} failed ${failure.test}: ${failure.detail}; the service would stop drawing`);
    try {
      return pipeline.hardware.draw(n);
    } catch (err) {
      if (!(err instanceof EntropyUnavailableError) || waited > 6000) throw err;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

const CHUNK = 1 << 16;

/** DRBG output, `limit` bytes (Infinity: until the consumer stops), in draws of options.drawSize. */
export async function* conditionedChunks(pipeline: Pipeline, options: Pick<StageOptions, 'drawSize'>, limit: number): AsyncGenerator<Uint8Array> {
  let left = limit;
  while (left > 0) {
    const size = Math.min(CHUNK, left);
    const chunk = new Uint8Array(size);
    for (let at = 0; at < size; ) {
      const piece = await drawFrom(pipeline, Math.min(options.drawSize, size - at));
      chunk.set(piece, at);
      at += piece.length;
    }
    left -= size;
    yield chunk;
    await yieldToLoop(); // let the channels refill
  }
}

/** CSV lines of `count` outcomes, a batch at a time. */
async function* outcomeLines(pipeline: Pipeline, spec: DrawSpec, count: number): AsyncGenerator<{ text: string; count: number }> {
  for (let done = 0; done < count; ) {
    const batch = Math.min(1000, count - done);
    let text = '';
    for (let i = 0; i < batch; i++) {
      const key = await drawFrom(pipeline, SEED_BYTES);
      const [draw] = computeDraws(key, '', 0, [spec], nodeMac);
      key.fill(0);
      text += `${csvValue(draw!.result)}\n`;
    }
    done += batch;
    yield { text, count: batch };
    await yieldToLoop();
  }
}

/** `game=dice@1,count=2,sides=6`: lists joined with spaces, reels with `|`. */
export function csvHeader(spec: DrawSpec): string {
  const params = Object.entries(spec.params).map(([k, v]) => `${k}=${csvValue(v)}`);
  return [`game=${spec.mapping}`, ...params].join(',');
}

/** A number as is; a list joined with spaces; a list of lists (reels) with `|` between the lists. */
function csvValue(v: Json): string {
  if (!Array.isArray(v)) return String(v);
  return v.some(Array.isArray) ? v.map((x) => (Array.isArray(x) ? x.join(' ') : String(x))).join('|') : v.join(' ');
}

// ---------------------------------------------------------------- output

function utf8(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      stream.off('drain', done);
      stream.off('error', done);
      if (err) reject(err);
      else resolve();
    };
    stream.on('drain', done);
    stream.on('error', done);
  });
}

function closeFile(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream.errored) return reject(stream.errored);
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export function rate(bytes: number, seconds: number): string {
  const perSecond = seconds > 0 ? bytes / seconds : 0;
  return perSecond >= 2 ** 20 ? `${(perSecond / 2 ** 20).toFixed(1)} MiB/s` : `${(perSecond / 1024).toFixed(1)} KiB/s`;
}

/** A progress line on stderr, redrawn at most 5 times a second, only when stderr is a terminal. */
export class Progress {
  readonly #tty = Boolean(process.stderr.isTTY);
  readonly #start = Date.now();
  #last = 0;
  #shown = false;

  constructor(
    readonly command: string,
    readonly stage: string,
    readonly total: number,
    readonly unit: 'bytes' | 'outcomes',
  ) {}

  update(done: number): void {
    if (!this.#tty) return;
    const now = Date.now();
    if (now - this.#last < 200 && done < this.total) return;
    this.#last = now;
    const seconds = (now - this.#start) / 1000;
    const amount = this.unit === 'bytes' ? mib(done) : `${done} outcomes`;
    const of = Number.isFinite(this.total) ? ` / ${this.unit === 'bytes' ? mib(this.total) : this.total} (${((100 * done) / this.total).toFixed(1)}%)` : '';
    const speed = this.unit === 'bytes' ? rate(done, seconds) : `${(seconds > 0 ? done / seconds : 0).toFixed(0)}/s`;
    const eta = Number.isFinite(this.total) && done > 0 ? ` · ETA ${Math.ceil(((this.total - done) * seconds) / done)} s` : '';
    process.stderr.write(`\r\x1b[K${this.command} ${this.stage}: ${amount}${of} · ${speed}${eta}`);
    this.#shown = true;
  }

  clear(): void {
    if (this.#shown) process.stderr.write('\r\x1b[K');
    this.#shown = false;
  }
}

function mib(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}
