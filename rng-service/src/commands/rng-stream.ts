/**
 * @module commands/rng-stream
 * `rngseal rng-stream`: the raw or conditioned stage (capture.ts) as an
 * endless binary stream on stdout, the live feed for dieharder
 * (`rngseal rng-stream --source hwrng --stage conditioned | dieharder -g 200 …`,
 * docs/dieharder.md). It stops at --bytes N or when the reader closes the
 * pipe (EPIPE: a normal end, exit 0), and then prints a one-line summary on
 * stderr unless --quiet. A health failure ends it with exit 1: the reader
 * then sees end of file (dieharder: "stdin_input_raw(): Error: EOF") and the
 * reason is on stderr.
 */

import { UsageError, parse, run } from './args.js';
import {
  conditionedChunks, parseSize, parseStage, parseStageOptions, Progress, rate, RawTap, STAGE_OPTIONS, startPipeline,
  type Pipeline,
} from './capture.js';
import { createSource, parseSourceSpec, type EntropySource } from '@rngseal/drivers';

const USAGE = `usage: rngseal rng-stream --source SPEC --stage raw|conditioned [--bytes N] [options] | READER
  Writes the stage's bytes to stdout (binary) until --bytes N or until the reader closes the pipe.
  --stage raw          health-tested source bytes (one source; start-up bytes not included)
          conditioned  CTR_DRBG output, drawn as the service draws
  --rejected drop|keep raw: FIPS 140-2-rejected blocks dropped (default) or kept
  --draw-size N        conditioned: bytes per draw (default 32)
  --health-alpha N, --reseed-ms N, --reseed-count N   as for serve
  --quiet              no summary line on stderr
  e.g. rngseal rng-stream --source hwrng --stage conditioned | dieharder -g 200 -s 1 -d 0`;

export async function rngStreamCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values } = parse(args, { ...STAGE_OPTIONS, quiet: { type: 'boolean' } });
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    const stage = parseStage(values.stage, ['raw', 'conditioned'] as const);
    if (!values.source) throw new UsageError('--source is required (e.g. --source hwrng, --source sim:seed=1)');
    const options = parseStageOptions(values, stage);
    const limit = values.bytes === undefined ? Infinity : parseSize(values.bytes, '--bytes');
    if (process.stdout.isTTY) throw new UsageError('stdout is a terminal: pipe the stream into a reader (… | dieharder -g 200 …, … | head -c N > file)');
    let sources: EntropySource[];
    try {
      const specs = parseSourceSpec(values.source);
      if (stage === 'raw' && specs.length > 1) throw new UsageError(`--stage raw streams one source at a time: '${values.source}' names ${specs.length}`);
      sources = specs.map((s) => createSource(s));
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new UsageError(`--source: ${(err as Error).message}`);
    }

    const out = new StdoutSink();
    const progress = new Progress('rng-stream', stage, limit, 'bytes');
    const started = Date.now();
    let written = 0;
    let pipeline: Pipeline | undefined;
    let failure: Error | undefined;
    let tap: RawTap | undefined;
    try {
      if (stage === 'raw') {
        tap = new RawTap(sources[0]!, options);
        for await (const block of tap.blocks()) {
          const piece = block.subarray(0, Math.min(block.length, limit - written));
          if (!(await out.write(piece))) break;
          written += piece.length;
          progress.update(written);
          if (written >= limit) break;
        }
      } else {
        pipeline = await startPipeline(sources, options);
        for await (const chunk of conditionedChunks(pipeline, options, limit)) {
          if (!(await out.write(chunk))) break;
          written += chunk.length;
          progress.update(written);
        }
      }
    } catch (err) {
      failure = err as Error;
    } finally {
      await pipeline?.hardware.stop().catch(() => {});
    }
    progress.clear();
    const seconds = (Date.now() - started) / 1000;
    const ending = failure ? `stopped: ${failure.message}` : out.closed ? 'the reader closed the pipe' : `limit of ${limit} bytes reached`;
    const raw = tap ? `, FIPS 140-2 blocks ${tap.stats.blocksPassed} passed, ${tap.stats.blocksRejected} rejected (${options.rejected === 'drop' ? 'dropped' : 'kept'})` : '';
    if (!values.quiet || failure) {
      process.stderr.write(`rng-stream: ${stage}, ${written} bytes from ${values.source} in ${seconds.toFixed(2)} s (${rate(written, seconds)})${raw}; ${ending}\n`);
    }
    return failure ? 1 : 0;
  });
}

/** stdout with backpressure; write() resolves false once the reader has gone (EPIPE). */
class StdoutSink {
  closed = false;
  #error: Error | null = null;

  constructor() {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else this.#error = err;
    });
  }

  async write(chunk: Uint8Array): Promise<boolean> {
    if (this.#error) throw this.#error;
    if (this.closed) return false;
    const ok = process.stdout.write(chunk);
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          process.stdout.off('drain', done);
          process.stdout.off('error', done);
          resolve();
        };
        process.stdout.once('drain', done);
        process.stdout.once('error', done);
      });
    } else {
      await new Promise((r) => setImmediate(r)); // let an EPIPE from this write surface
    }
    if (this.#error) throw this.#error;
    return !this.closed;
  }
}
