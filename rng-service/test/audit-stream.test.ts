/**
 * The streaming parts of the parallel audit: chunks of whole lines that
 * rebuild the input exactly, each alone in its own buffer; a reader that
 * stays at most two chunks per thread ahead of the chunk being accepted and
 * hands chunks back in input order whatever order they finish in; and the
 * progress line's figures.
 */

import { describe, expect, it } from 'vitest';
import { lineChunks } from '../src/audit/chunks.js';
import { examineInOrder, type ExaminedChunk } from '../src/audit/pool.js';
import { formatProgress, ProgressLine } from '../src/audit/progress.js';

async function* pieces(text: string, sizes: number[]): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield Uint8Array.from(bytes.subarray(at, at + n));
    at += n;
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

describe('lineChunks', () => {
  const lines = Array.from({ length: 200 }, (_, i) => `{"n":${i},"text":"${'é'.repeat(i % 17)}"}`);
  const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));

  for (const [name, text] of [['ending in a newline', `${lines.join('\n')}\n`], ['without a final newline', lines.join('\n')]] as const) {
    it(`${name}: the chunks rebuild the input, end at newlines, reach the size, and own their buffers`, async () => {
      for (const sizes of [[1], [7, 300, 2], [5000], [1 << 20]]) {
        const chunks = await collect(lineChunks(pieces(text, sizes), 256));
        expect(Buffer.concat(chunks).toString(), String(sizes)).toBe(text);
        chunks.forEach((c, i) => {
          const last = i === chunks.length - 1;
          if (!last) expect(c[c.length - 1], `chunk ${i} ends at a newline`).toBe(0x0a);
          // At least the size, and no more than the line that crosses it.
          if (!last) expect(c.length).toBeGreaterThanOrEqual(256);
          expect(c.length).toBeLessThan(256 + longest + 1);
          expect(c.byteOffset).toBe(0);
        });
        expect(new Set(chunks.map((c) => c.buffer)).size, 'one buffer per chunk').toBe(chunks.length);
        // Multi-byte characters split across pieces come out whole.
        expect(chunks.map((c) => Buffer.from(c).toString()).join('')).toBe(text);
      }
    });
  }

  it('a line longer than the chunk size stays whole', async () => {
    const long = 'x'.repeat(2000);
    const text = `short\n${long}\n${'z'.repeat(300)}\nend`;
    const chunks = (await collect(lineChunks(pieces(text, [100]), 256))).map((c) => Buffer.from(c).toString());
    expect(chunks.join('')).toBe(text);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.some((c) => c.split('\n').includes(long))).toBe(true);
  });
});

describe('examineInOrder', () => {
  /** A pool whose jobs finish in reverse order of a batch, counting how far the reader got. */
  function fakePool(threads: number) {
    const jobs: Array<{ n: number; resolve: (c: ExaminedChunk) => void }> = [];
    const pool = {
      threads,
      sent: 0,
      examine(chunk: Uint8Array): Promise<ExaminedChunk> {
        pool.sent++;
        return new Promise((resolve) => {
          jobs.push({ n: chunk[0]!, resolve });
          // Finish everything sent so far, newest first.
          setImmediate(() => {
            for (const job of jobs.splice(0).reverse()) job.resolve({ facts: [], bytes: job.n, lines: 0, failure: null });
          });
        });
      },
    };
    return pool;
  }

  async function* numbered(count: number): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < count; i++) yield Uint8Array.of(i);
  }

  it('hands chunks back in input order, never more than 2 per thread read ahead', async () => {
    for (const threads of [1, 3]) {
      const pool = fakePool(threads);
      const order: number[] = [];
      let furthestAhead = 0;
      await examineInOrder(numbered(40), pool, (chunk) => {
        furthestAhead = Math.max(furthestAhead, pool.sent - order.length);
        order.push(chunk.bytes);
      });
      expect(order).toEqual(Array.from({ length: 40 }, (_, i) => i));
      expect(furthestAhead).toBe(2 * threads);
    }
  });

  it('stops reading at the first failure accept throws, and rethrows it', async () => {
    const pool = fakePool(2);
    const failure = new Error('record 3: bad');
    await expect(examineInOrder(numbered(1000), pool, (chunk) => {
      if (chunk.bytes === 3) throw failure;
    })).rejects.toBe(failure);
    expect(pool.sent).toBe(3 + 2 * 2);
  });
});

describe('progress line', () => {
  it('shows records, the rate, and how far through the input, when known', () => {
    const line = formatProgress({ phase: 'audit', records: 250_000, bytes: 180e6, seconds: 20, totalBytes: 720e6, totalRecords: null });
    expect(line).toBe('audit       [######..................]  25.0%  250,000 records  12,500 records/s  180.0/720.0 MB');
    expect(formatProgress({ phase: 'audit', records: 10, bytes: 7000, seconds: 2, totalBytes: null, totalRecords: 40 })).toContain(' 25.0%  10 records  5 records/s  0.0 MB');
    expect(formatProgress({ phase: 'first pass', records: 0, bytes: 360e6, seconds: 1, totalBytes: 720e6, totalRecords: 1000 })).toBe('first pass  [############............]  50.0%  360.0/720.0 MB');
  });

  it('redraws in place at most every 100 ms within a phase, and erases itself', () => {
    let now = 0;
    const written: string[] = [];
    const progress = new ProgressLine({ write: (t: string) => written.push(t) }, { bytes: 1000, records: null }, () => now);
    progress.update('first pass', 0, 10);
    now = 50;
    progress.update('first pass', 0, 20);
    now = 60;
    progress.update('audit', 5, 10);
    now = 200;
    progress.update('audit', 50, 500);
    progress.clear();
    expect(written.length).toBe(4);
    expect(written.slice(0, 3).every((t) => t.startsWith('\r\x1b[K'))).toBe(true);
    expect(written[2]).toContain('50 records  357 records/s  0.0/0.0 MB');
    expect(written[3]).toBe('\r\x1b[K');
  });
});
