/**
 * @module byte-queue
 * The bounded buffer between a device that pushes bytes (serial 'data'
 * events, the pty simulator) and `EntropySource.read()`, which pulls them.
 *
 * It never drops a byte: dropping the oldest bytes when full would silently
 * remove samples from the stream the health tests see, and the entropy
 * accounting would then describe a stream that never existed. Instead `push`
 * reports "full" and the producer pauses its device (backpressure); the
 * queue calls `onSpace` once readers have drained it to half capacity.
 */

interface Waiter {
  max: number;
  resolve: (bytes: Uint8Array) => void;
  reject: (error: Error) => void;
}

export class ByteQueue {
  readonly capacity: number;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #waiters: Waiter[] = [];
  #failure: Error | null = null;
  #stopped = false;
  readonly #onSpace: () => void;

  /** `onSpace` is called when the producer may resume after a full push. */
  constructor(capacity: number, onSpace: () => void = () => {}) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity: must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#onSpace = onSpace;
  }

  /** Bytes buffered and not yet read. */
  get size(): number {
    return this.#size;
  }

  /** True while the producer has been told to stop. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Appends a chunk (copied: device buffers get reused). Returns false when
   * the queue is now full and the producer must pause until `onSpace`. A
   * chunk arriving while full is still kept, so the bound is capacity plus
   * whatever the producer had in flight when it paused.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#failure) return false;
    if (chunk.length > 0) {
      this.#chunks.push(Uint8Array.from(chunk));
      this.#size += chunk.length;
      this.#serveWaiters();
    }
    if (this.#size >= this.capacity) this.#stopped = true;
    return !this.#stopped;
  }

  /** Resolves with 1..max buffered bytes, waiting for the next push if empty. */
  read(max: number): Promise<Uint8Array> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#size > 0 && this.#waiters.length === 0) return Promise.resolve(this.#take(max));
    return new Promise((resolve, reject) => this.#waiters.push({ max, resolve, reject }));
  }

  /** Discards buffered bytes and rejects pending and later reads with `error`. */
  fail(error: Error): void {
    this.#failure = error;
    this.#chunks = [];
    this.#size = 0;
    this.#stopped = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Empties the queue and clears a failure, for a fresh connection. */
  reset(): void {
    this.fail(new Error('queue reset'));
    this.#failure = null;
  }

  #serveWaiters(): void {
    while (this.#size > 0 && this.#waiters.length > 0) {
      const waiter = this.#waiters.shift()!;
      waiter.resolve(this.#take(waiter.max));
    }
  }

  #take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.#size));
    let filled = 0;
    while (filled < out.length) {
      const chunk = this.#chunks[0]!;
      const n = Math.min(chunk.length, out.length - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    this.#size -= out.length;
    // Hysteresis: resume at half capacity, not at the first free byte, so a
    // fast device does not pause and resume on every read.
    if (this.#stopped && this.#size <= this.capacity / 2) {
      this.#stopped = false;
      this.#onSpace();
    }
    return out;
  }
}
