/**
 * @module derive
 * The published byte stream behind every outcome, and the one way of turning
 * it into unbiased integers. Third parties reimplement this (in Python and
 * elsewhere), so every detail below is part of the protocol.
 *
 * Stream: block i (i = 0, 1, 2, ...) is
 *   HMAC-SHA256(key, UTF-8(`${clientSeed}:${nonce}:${i}`))
 * with nonce and i in decimal without leading zeros; the stream is
 * block 0 ‖ block 1 ‖ ..., read one byte at a time, blocks computed lazily.
 *
 * The message needs no escaping even when clientSeed contains ':', because
 * the last two fields are digits only: splitting at the last two colons
 * recovers all three parts, so distinct inputs never share a message.
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from './bytes.js';

/** HMAC-SHA256 under one key: the tag of `message`. */
export type KeyedMac = (message: Uint8Array) => Uint8Array;

/**
 * HMAC-SHA256 with `key`, prepared once for the many blocks and draws that
 * share a key (an epoch's seed serves thousands of outcomes). What it
 * returns must not change when the caller later changes its key array.
 * Node tools may pass node:crypto's, which agrees byte for byte.
 */
export type Mac = (key: Uint8Array) => KeyedMac;

/** The browser-safe default: @noble/hashes, the key's inner and outer hash states computed once. */
export const nobleMac: Mac = (key) => {
  const keyed = hmac.create(sha256, key);
  return (message) => keyed.clone().update(message).digest();
};

/** A source of bytes consumed strictly in order. */
export interface ByteStream {
  /** The next byte, 0..255. */
  next(): number;
  /** How many bytes have been consumed so far. */
  readonly used: number;
}

const KEY_BYTES = 32;
const MAX_N = 2 ** 53;

/**
 * The byte stream of one draw.
 * @throws RangeError unless key is 32 bytes, nonce a safe non-negative
 *   integer, and clientSeed well-formed Unicode.
 */
export function deriveStream(key: Uint8Array, clientSeed: string, nonce: number, mac: Mac = nobleMac): ByteStream {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw new RangeError('key: must be 32 bytes');
  // A lone surrogate has no UTF-8 form: TextEncoder would silently write
  // U+FFFD (so two seeds would share a stream) where Python's encoder raises.
  if (typeof clientSeed !== 'string' || !clientSeed.isWellFormed()) {
    throw new RangeError('clientSeed: must be a well-formed Unicode string');
  }
  if (!Number.isSafeInteger(nonce) || nonce < 0) throw new RangeError('nonce: must be a safe non-negative integer');

  return new HmacStream(mac(key), clientSeed, nonce);
}

/**
 * deriveStream's stream. A class, not an object literal with a getter: a
 * literal with an accessor costs a new hidden class per stream, which makes
 * creating it and every call to next() several times slower (the auditor
 * makes one per draw, by the million).
 */
class HmacStream implements ByteStream {
  #block: Uint8Array = new Uint8Array(0);
  #index = 0;
  #offset = 0;
  #used = 0;

  /** `mac` was prepared with the key when the stream was made: the caller changing its array must not change later blocks. */
  constructor(
    private readonly mac: KeyedMac,
    private readonly clientSeed: string,
    private readonly nonce: number,
  ) {}

  next(): number {
    if (this.#offset === this.#block.length) {
      this.#block = this.mac(utf8(`${this.clientSeed}:${this.nonce}:${this.#index}`));
      this.#index++;
      this.#offset = 0;
    }
    this.#used++;
    return this.#block[this.#offset++]!;
  }

  get used(): number {
    return this.#used;
  }
}

/**
 * An exactly unbiased integer in [0, n), by masking and rejection: read
 * ceil(b/8) bytes big-endian (b = bit length of n − 1), clear the unused top
 * bits of the first byte, and start again while the value is ≥ n. Never
 * modulo or scaling, which would favour some values.
 * n = 1 consumes nothing.
 * @throws RangeError unless n is an integer from 1 to 2^53.
 */
export function uniform(stream: ByteStream, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_N) throw new RangeError('n: must be an integer from 1 to 2^53');
  if (n === 1) return 0;
  const bits = bitLength(n - 1);
  const bytes = (bits + 7) >>> 3;
  const mask = 0xff >>> (8 * bytes - bits); // the first byte's used bits
  for (;;) {
    let v = stream.next() & mask;
    // v < 2^53 throughout, so the arithmetic stays exact (no bitwise ops past 32 bits).
    for (let i = 1; i < bytes; i++) v = v * 256 + stream.next();
    if (v < n) return v;
  }
}

/** Bit length of a positive integer below 2^53 (Math.clz32 stops at 32 bits). */
function bitLength(x: number): number {
  if (x < 2 ** 32) return 32 - Math.clz32(x);
  let bits = 0;
  for (let rest = x; rest >= 1; rest = Math.floor(rest / 2)) bits++;
  return bits;
}
