/**
 * @module keys
 * Key ids and public-key text forms, and the @noble Ed25519 verifier that
 * browsers use (Node tools may plug in node:crypto, which agrees byte for byte).
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64, fromHex, toHex } from './bytes.js';
import type { SignatureVerifier } from './record.js';

/** Key id carried in every record: first 8 bytes of SHA-256(raw public key), hex. */
export function keyId(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError('publicKey: expected 32 bytes');
  return toHex(sha256(publicKey)).slice(0, 16);
}

/**
 * Parses a public key given as 64 hex digits or as base64 of the 32 raw bytes.
 * @throws TypeError naming `field`
 */
export function parsePublicKey(text: string, field = 'key'): Uint8Array {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? fromHex(trimmed.toLowerCase(), field) : fromBase64(trimmed, field);
  if (bytes.length !== 32) throw new TypeError(`${field}: an Ed25519 public key is 32 bytes`);
  return bytes;
}

/** RFC 8032 verification (cofactorless, canonical encodings: zip215 off). */
export const nobleVerify: SignatureVerifier = (publicKey, message, signature) => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};
