/**
 * @module node-crypto
 * SHA-256, HMAC-SHA256 and Ed25519 verification through
 * node:crypto (OpenSSL): byte for byte what the verifier's @noble defaults
 * compute, several times faster. Ed25519 public keys are parsed once each:
 * building an OpenSSL key object costs about as much as a verification.
 */

import { createHmac, createPublicKey, hash, verify, type KeyObject } from 'node:crypto';
import type { Mac, RecordHashing, SignatureVerifier } from '@rngseal/verifier';

// One-shot hashing of the string itself: no Hash object and no Buffer of
// the record per call (the audit hashes every record twice). Digests come
// out as latin1 ('binary') strings, one char per byte, into pooled Buffers:
// a 'buffer' digest allocates an ArrayBuffer of its own, which costs as much
// as hashing a record.
const NODE_PREFIX = Uint8Array.of(0x01);
const NODE_INPUT = Buffer.alloc(65, 0x01);
const sha256 = (data: string | Uint8Array): Buffer => Buffer.from(hash('sha256', data, 'binary'), 'binary');

export const nodeHashing: RecordHashing = {
  sha256: (text) => sha256(text),
  // RFC 9162: SHA-256(0x00 ‖ data), as tlog/tree.ts leafHash; U+0000 is the byte 0x00 in UTF-8.
  leafHash: (text) => sha256(`\u0000${text}`),
  // RFC 9162: SHA-256(0x01 ‖ left ‖ right), as tlog/tree.ts nodeHash; one buffer for every call (the audit's tree hashes one node per record).
  nodeHash: (left, right) => {
    if (left.length !== 32 || right.length !== 32) return sha256(Buffer.concat([NODE_PREFIX, left, right]));
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 33);
    return sha256(NODE_INPUT);
  },
};

const BLOCK = 64;

/** A key's HMAC pads, with room after each for what is hashed with it. */
interface Pads {
  key: Uint8Array;
  /** (K ⊕ ipad) ‖ message */
  inner: Buffer;
  /** (K ⊕ opad) ‖ inner hash */
  outer: Buffer;
}

/** The pads of each key array seen, checked against its bytes on every use: the caller may change the array. */
const padsByKey = new WeakMap<Uint8Array, Pads>();

/**
 * HMAC-SHA256 (RFC 2104) as two one-shot SHA-256 calls over pads prepared
 * once per key: createHmac builds a KeyObject and an Hmac object per call,
 * which costs about three times the hashing, and an outcome needs one HMAC
 * per 32 bytes of its stream. H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), K the key
 * zero-padded to 64 bytes.
 */
export const nodeMac: Mac = (key) => {
  // RFC 2104 hashes a longer key first; the audit's keys (seeds, entropy) are 32 bytes.
  if (key.length > BLOCK) {
    const own = Buffer.from(key);
    return (message) => createHmac('sha256', own).update(message).digest();
  }
  const pads = padsFor(key);
  return (message) => {
    const inner = roomFor(pads, message.length);
    inner.set(message, BLOCK);
    pads.outer.write(hash('sha256', inner.subarray(0, BLOCK + message.length), 'binary'), BLOCK, 'binary');
    return sha256(pads.outer);
  };
};

/** The inner pad with room for a message of `length` bytes after it (a stream block's message is short). */
function roomFor(pads: Pads, length: number): Buffer {
  if (pads.inner.length < BLOCK + length) {
    const bigger = Buffer.allocUnsafe(BLOCK + length);
    pads.inner.copy(bigger, 0, 0, BLOCK);
    pads.inner = bigger;
  }
  return pads.inner;
}

function padsFor(key: Uint8Array): Pads {
  const known = padsByKey.get(key);
  if (known && Buffer.compare(known.key, key) === 0) return known;
  // allocUnsafe takes small buffers from Node's pool: a direct draw prepares a key per record. Every byte is written before it is read.
  const pads: Pads = { key: Buffer.from(key), inner: Buffer.allocUnsafe(2 * BLOCK), outer: Buffer.allocUnsafe(BLOCK + 32) };
  for (let i = 0; i < BLOCK; i++) {
    const k = i < key.length ? key[i]! : 0;
    pads.inner[i] = k ^ 0x36;
    pads.outer[i] = k ^ 0x5c;
  }
  padsByKey.set(key, pads);
  return pads;
}

/**
 * An Ed25519 verifier (RFC 8032, as nobleVerify) that keeps each public
 * key's OpenSSL key object, found by the key array's identity: callers pass
 * the same Uint8Array for the same key, as the auditor's key table does.
 */
export function cachedKeyVerifier(): SignatureVerifier {
  const keyObjects = new WeakMap<Uint8Array, KeyObject>();
  return (publicKey, message, signature) => {
    try {
      let key = keyObjects.get(publicKey);
      if (!key) {
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
        keyObjects.set(publicKey, key);
      }
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  };
}
