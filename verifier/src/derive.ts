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

/** HMAC-SHA256(key, message). Node tools may pass node:crypto's, which agrees byte for byte. */
export type Mac = (key: Uint8Array, message: Uint8Array) => Uint8Array;

/** The browser-safe default: @noble/hashes. */
export const nobleMac: Mac = (key, message) => hmac(sha256, key, message);

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

  // A private copy: the caller changing its key array must not change later blocks.
  const ownKey = key.slice();
  let block: Uint8Array = new Uint8Array(0);
  let index = 0;
  let offset = 0;
  let used = 0;
  return {
    next(): number {
      if (offset === block.length) {
        block = mac(ownKey, utf8(`${clientSeed}:${nonce}:${index}`));
        index++;
        offset = 0;
      }
      used++;
      return block[offset++]!;
    },
    get used(): number {
      return used;
    },
  };
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
  const bytes = Math.ceil(bits / 8);
  const mask = 2 ** (bits - 8 * (bytes - 1)) - 1;
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
