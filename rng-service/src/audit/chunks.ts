/**
 * @module audit/chunks
 * An export's bytes as chunks of whole lines, for worker threads: each chunk
 * ends at the first newline once it holds `size` bytes (the last one at the
 * input's end), whatever the sizes of the pieces read, and is a buffer of
 * its own, so it can be transferred rather than copied. Every byte is copied
 * once, from the pieces read into its chunk.
 */

export const CHUNK_BYTES = 256 * 1024;

/** More than this without a newline is not an NDJSON export; stop before memory runs out. */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

export async function* lineChunks(pieces: AsyncIterable<Uint8Array>, size = CHUNK_BYTES): AsyncGenerator<Uint8Array> {
  const queue = new ByteQueue();
  for await (const piece of pieces) {
    queue.push(piece);
    for (let end = queue.lineEnd(size - 1); end > 0; end = queue.lineEnd(size - 1)) yield queue.take(end);
    if (queue.length > size + MAX_LINE_BYTES) throw new Error(`no newline in ${MAX_LINE_BYTES} bytes: not an NDJSON export`);
  }
  if (queue.length > 0) yield queue.take(queue.length);
}

/** Bytes read but not yet in a chunk, kept as the pieces they came in. */
class ByteQueue {
  #parts: Uint8Array[] = [];
  /** Bytes of #parts[0] already taken. */
  #taken = 0;
  /** No newline at or after the search start, below this offset: a long line is searched once. */
  #searched = 0;
  length = 0;

  push(piece: Uint8Array): void {
    this.#parts.push(piece);
    this.length += piece.length;
  }

  /** The offset just past the first newline at or after `from`, or 0 when there is none yet. */
  lineEnd(from: number): number {
    let start = Math.max(from, this.#searched);
    let offset = 0;
    for (const [i, part] of this.#parts.entries()) {
      const first = i === 0 ? this.#taken : 0;
      const size = part.length - first;
      if (start < offset + size) {
        const at = part.indexOf(0x0a, first + Math.max(0, start - offset));
        if (at >= 0) return offset + at - first + 1;
        start = offset + size;
      }
      offset += size;
    }
    this.#searched = this.length;
    return 0;
  }

  /** The first `n` bytes, in a buffer of their own. */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      const part = this.#parts[0]!;
      const count = Math.min(n - filled, part.length - this.#taken);
      out.set(part.subarray(this.#taken, this.#taken + count), filled);
      filled += count;
      this.#taken += count;
      if (this.#taken === part.length) {
        this.#parts.shift();
        this.#taken = 0;
      }
    }
    this.length -= n;
    this.#searched = 0;
    return out;
  }
}
