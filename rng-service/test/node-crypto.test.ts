/**
 * The audit's node:crypto plug (node-crypto.ts) computes byte for byte
 * what the verifier's browser-safe @noble defaults compute: HMAC-SHA256
 * built from one-shot hashes, for keys shorter than, equal to and longer
 * than the 64-byte block; record, leaf and node hashes of text with
 * multi-byte characters. Inputs come from a seeded generator.
 */

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leafHash, nobleHashing, nobleMac, nodeHash, toHex, utf8 } from '@rngseal/verifier';
import { nodeHashing, nodeMac } from '../src/node-crypto.js';

/** Deterministic bytes: SHA-256 in counter mode over a label. */
function bytes(label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i * 32 < n; i++) out.set(createHash('sha256').update(`${label}:${i}`).digest().subarray(0, Math.min(32, n - 32 * i)), 32 * i);
  return out;
}

describe('nodeMac', () => {
  it('equals @noble HMAC-SHA256 for keys of 0 to 100 bytes and messages of 0 to 200 bytes', () => {
    for (let k = 0; k <= 100; k++) {
      const key = bytes(`key${k}`, k);
      const node = nodeMac(key);
      const noble = nobleMac(key);
      for (const m of [0, 1, 17, 55, 56, 64, 119, 200, 64, 0]) {
        const message = bytes(`msg${k}-${m}`, m);
        expect(toHex(node(message)), `key ${k} bytes, message ${m} bytes`).toBe(toHex(noble(message)));
      }
    }
  });

  it('does not depend on earlier calls, keys or messages (no state leaks between them)', () => {
    const a = bytes('a', 32);
    const b = bytes('b', 32);
    const first = toHex(nodeMac(a)(utf8('seed:0:0')));
    nodeMac(b)(utf8('seed:0:0'));
    nodeMac(a)(bytes('long', 200));
    expect(toHex(nodeMac(a)(utf8('seed:0:0')))).toBe(first);
  });

  it('keeps the key it was prepared with, and sees a key array whose bytes changed as a new key', () => {
    const key = bytes('k', 32);
    const original = key.slice();
    const before = nodeMac(key);
    const expectedOld = toHex(nobleMac(original)(utf8('m')));
    key[0]! ^= 1;
    expect(toHex(before(utf8('m'))), 'prepared before the change').toBe(expectedOld);
    expect(toHex(nodeMac(key)(utf8('m'))), 'prepared after it').toBe(toHex(nobleMac(key)(utf8('m'))));
    expect(toHex(nodeMac(key)(utf8('m')))).not.toBe(expectedOld);
  });
});

describe('nodeHashing', () => {
  const texts = ['', '{"a":1}', 'é€😀', '\u0000lead', 'x'.repeat(1000), `{"clientSeed":"${'ü'.repeat(40)}"}`];

  it('sha256 and leafHash equal @noble on UTF-8 text', () => {
    for (const text of texts) {
      expect(toHex(nodeHashing.sha256(text)), JSON.stringify(text)).toBe(toHex(nobleHashing.sha256(text)));
      expect(toHex(nodeHashing.leafHash(text)), JSON.stringify(text)).toBe(toHex(leafHash(utf8(text))));
    }
  });

  it('nodeHash equals merkle.ts nodeHash, and differs when the children swap', () => {
    for (let i = 0; i < 20; i++) {
      const left = bytes(`l${i}`, 32);
      const right = bytes(`r${i}`, 32);
      expect(toHex(nodeHashing.nodeHash(left, right))).toBe(toHex(nodeHash(left, right)));
      expect(toHex(nodeHashing.nodeHash(right, left))).not.toBe(toHex(nodeHash(left, right)));
    }
    // Each result is its own: a later call does not change an earlier one.
    const first = nodeHashing.nodeHash(bytes('a', 32), bytes('b', 32));
    const copy = toHex(first);
    nodeHashing.nodeHash(bytes('c', 32), bytes('d', 32));
    expect(toHex(first)).toBe(copy);
  });
});
