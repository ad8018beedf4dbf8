/**
 * @module test/derive
 * The published byte stream against Node's own HMAC, and uniform()'s
 * masking and rejection byte by byte.
 */

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/bytes.js';
import { type ByteStream, deriveStream, uniform } from '../src/derive.js';
import { Exhausted, scriptedStream } from './stats.js';

const KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const KEY = fromHex(KEY_HEX);

function read(stream: ByteStream, count: number): string {
  return toHex(Uint8Array.from({ length: count }, () => stream.next()));
}

function nodeBlock(message: string): string {
  return createHmac('sha256', Buffer.from(KEY_HEX, 'hex')).update(message, 'utf8').digest('hex');
}

describe('deriveStream', () => {
  it('block 0 is the pinned vector and equals node:crypto HMAC-SHA256', () => {
    // Published vector: key 00..1f, clientSeed "player-seed", nonce 42.
    const pinned = '51076a84f500f43ce2541c0fe92290cf98d303312e6440c84ee0db5cdd6d0a75';
    expect(nodeBlock('player-seed:42:0'), 'node:crypto vs pinned vector').toBe(pinned);
    expect(read(deriveStream(KEY, 'player-seed', 42), 32), 'deriveStream block 0').toBe(pinned);
  });

  it('continues with blocks 1 and 2, byte by byte in order', () => {
    const stream = deriveStream(KEY, 'player-seed', 42);
    const expected = ['0', '1', '2'].map((i) => nodeBlock(`player-seed:42:${i}`)).join('');
    expect(read(stream, 96), 'blocks 0..2 concatenated').toBe(expected);
  });

  it('counts consumed bytes in `used`', () => {
    const stream = deriveStream(KEY, 'player-seed', 42);
    expect(stream.used, 'fresh stream').toBe(0);
    read(stream, 33);
    expect(stream.used, 'after 33 bytes').toBe(33);
  });

  it('keeps its own copy of the key', () => {
    const key = KEY.slice();
    const stream = deriveStream(key, 'player-seed', 42);
    read(stream, 32);
    key.fill(0);
    expect(read(stream, 32), 'block 1 after the caller zeroed its key').toBe(nodeBlock('player-seed:42:1'));
  });

  it('encodes clientSeed as UTF-8 and nonce in plain decimal', () => {
    const seed = 'héllo ☃ 🎲';
    const nonce = Number.MAX_SAFE_INTEGER;
    expect(read(deriveStream(KEY, seed, nonce), 32), 'non-ASCII seed, nonce 2^53-1').toBe(
      nodeBlock(`${seed}:9007199254740991:0`),
    );
    expect(read(deriveStream(KEY, '', 0), 32), 'empty seed, nonce 0').toBe(nodeBlock(':0:0'));
    expect(read(deriveStream(KEY, 'a:b', 7), 32), 'seed containing a colon').toBe(nodeBlock('a:b:7:0'));
  });

  it('differs for different keys, seeds and nonces', () => {
    const base = read(deriveStream(KEY, 's', 1), 32);
    const otherKey = KEY.slice();
    otherKey[0] = 0xff;
    expect(read(deriveStream(otherKey, 's', 1), 32), 'other key').not.toBe(base);
    expect(read(deriveStream(KEY, 't', 1), 32), 'other seed').not.toBe(base);
    expect(read(deriveStream(KEY, 's', 2), 32), 'other nonce').not.toBe(base);
  });

  it('rejects bad keys, nonces and seeds with RangeError', () => {
    expect(() => deriveStream(new Uint8Array(31), 's', 0), 'key of 31 bytes').toThrow(RangeError);
    expect(() => deriveStream(new Uint8Array(33), 's', 0), 'key of 33 bytes').toThrow(RangeError);
    for (const nonce of [-1, 1.5, 2 ** 53, Number.NaN, Infinity]) {
      expect(() => deriveStream(KEY, 's', nonce), `nonce ${nonce}`).toThrow(RangeError);
    }
    expect(() => deriveStream(KEY, 'a\uD800b', 0), 'lone surrogate in clientSeed').toThrow(RangeError);
  });
});

describe('uniform', () => {
  /** The value uniform() returns on `bytes`, which it must consume exactly. */
  function onBytes(n: number, bytes: number[]): number {
    const stream = scriptedStream(bytes);
    const v = uniform(stream, n);
    expect(stream.used, `n=${n}: bytes consumed`).toBe(bytes.length);
    return v;
  }

  it('n = 3: b=2, mask 3; 0x03 is rejected, then 0x02 gives 2', () => {
    expect(onBytes(3, [0x03, 0x02])).toBe(2);
    expect(onBytes(3, [0xfe])).toBe(2); // high bits are masked off, not reduced modulo
    expect(onBytes(3, [0xff, 0xff, 0x7c])).toBe(0);
  });

  it('n = 256: one byte, mask 0xff, never rejects', () => {
    expect(onBytes(256, [0xff])).toBe(255);
    expect(onBytes(256, [0x00])).toBe(0);
  });

  it('n = 257: two bytes, first masked to 1 bit', () => {
    expect(onBytes(257, [0x01, 0x00])).toBe(256);
    expect(onBytes(257, [0x01, 0x01, 0xfe, 0x05])).toBe(5); // 257 rejected; 0xfe masks to 0
    expect(onBytes(257, [0xff, 0xff, 0x00, 0x01])).toBe(1); // 511 rejected
  });

  it('n = 2^53: seven bytes, first masked to 5 bits, never rejects', () => {
    expect(onBytes(2 ** 53, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).toBe(2 ** 53 - 1);
    expect(onBytes(2 ** 53, [0x20, 0, 0, 0, 0, 0, 1])).toBe(1);
  });

  it('n = 2^53 - 1: rejects only the all-ones value', () => {
    const allOnes = [0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    expect(onBytes(2 ** 53 - 1, [...allOnes, 0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc])).toBe(0x123456789abc);
    expect(onBytes(2 ** 53 - 1, [0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])).toBe(2 ** 53 - 2);
  });

  it('n = 2^32: four bytes, nothing masked', () => {
    expect(onBytes(2 ** 32, [0xff, 0xff, 0xff, 0xfe])).toBe(2 ** 32 - 2);
  });

  it('n = 1 returns 0 and consumes nothing', () => {
    expect(onBytes(1, [])).toBe(0);
  });

  it('keeps reading while it rejects', () => {
    const stream = scriptedStream([0x07, 0x07, 0x07]);
    expect(() => uniform(stream, 6), 'n=6 on three rejected bytes').toThrow(Exhausted);
  });

  it('throws RangeError outside 1..2^53 or for non-integers', () => {
    // 2^53 + 1 is not a double (the expression rounds to 2^53, which is valid),
    // so the first integer past the limit a caller can pass is 2^53 + 2.
    for (const n of [0, -1, 2 ** 53 + 2, 2 ** 54, 1.5, Number.NaN, Infinity]) {
      expect(() => uniform(scriptedStream([]), n), `n=${n}`).toThrow(RangeError);
    }
  });

  it('pinned: uniform(6) five times on the published vector stream', () => {
    // Block 0 starts 51 07 6a 84 f5 00; mask 7 gives 1, (7 rejected), 2, 4, 5, 0.
    const stream = deriveStream(KEY, 'player-seed', 42);
    const rolls = Array.from({ length: 5 }, () => uniform(stream, 6));
    expect(rolls, 'values').toEqual([1, 2, 4, 5, 0]);
    expect(stream.used, 'bytes consumed').toBe(6);
  });
});

describe('pluggable HMAC', () => {
  it('node:crypto HMAC gives the same stream as the @noble default', () => {
    const key = new Uint8Array(32).map((_, i) => i * 7);
    const nodeMac = (k: Uint8Array) => (m: Uint8Array) => new Uint8Array(createHmac('sha256', k).update(m).digest());
    const a = deriveStream(key, 'seed:with:colons', 9);
    const b = deriveStream(key, 'seed:with:colons', 9, nodeMac);
    for (let i = 0; i < 100; i++) expect(b.next(), `byte ${i}`).toBe(a.next());
  });

  it("a stream keeps its key: changing the caller's array afterwards changes no later block", () => {
    const key = new Uint8Array(32).map((_, i) => i * 3);
    const reference = deriveStream(key.slice(), 'player-seed', 1);
    const stream = deriveStream(key, 'player-seed', 1);
    expect(stream.next()).toBe(reference.next());
    key.fill(0);
    for (let i = 1; i < 100; i++) expect(stream.next(), `byte ${i}`).toBe(reference.next());
  });
});
