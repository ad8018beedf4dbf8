/**
 * @module tlog/note-signer
 * The log's signed-note signing key (https://c2sp.org/signed-note), in the
 * text form of Go's golang.org/x/mod/sumdb/note:
 *
 *   PRIVATE+KEY+<name>+hex8(key ID)+base64( 0x01 ‖ 32-byte Ed25519 seed )
 *
 * where the key ID is that of the matching verifier key (verifier/src/note.ts,
 * computed from the public key). The "PRIVATE+KEY" prefix keeps the secret
 * from being pasted where a verifier key goes. Signing uses node:crypto;
 * Ed25519 is deterministic, so a note signed here equals Go's note.Sign
 * byte for byte (verifier/test/vectors/tlog-go.json).
 */

import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { formatSignedNote, formatVerifierKey, hex8, isValidKeyName, NOTE_ED25519, noteKeyId, fromBase64, toBase64 } from '@rngseal/verifier';

export interface NoteSigner {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  /** The verifier key text to publish. */
  verifierKey: string;
  sign(message: Uint8Array): Uint8Array;
}

const PREFIX = 'PRIVATE+KEY+';
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Signer for `name` from a 32-byte Ed25519 seed. */
export function noteSigner(name: string, seed: Uint8Array): NoteSigner {
  if (!isValidKeyName(name)) throw new TypeError('name: not a valid key name (non-empty, no spaces, no "+")');
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError('seed: expected 32 bytes');
  const key: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = new Uint8Array(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x as string, 'base64url'));
  return {
    name,
    keyId: noteKeyId(name, publicKey),
    publicKey,
    verifierKey: formatVerifierKey(name, publicKey),
    sign: (message) => new Uint8Array(sign(null, message, key)),
  };
}

/**
 * Signer for `name` around a key held elsewhere (the service's record key,
 * which never leaves signer.ts): only its public key and sign are used.
 */
export function noteSignerForKey(name: string, key: { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array }): NoteSigner {
  if (!isValidKeyName(name)) throw new TypeError('name: not a valid key name (non-empty, no spaces, no "+")');
  return {
    name,
    keyId: noteKeyId(name, key.publicKey),
    publicKey: key.publicKey,
    verifierKey: formatVerifierKey(name, key.publicKey),
    sign: (message) => key.sign(message),
  };
}

/** `PRIVATE+KEY+name+hex8+base64(0x01 ‖ seed)`. Secret: never log it. */
export function formatSignerKey(name: string, seed: Uint8Array): string {
  const { keyId } = noteSigner(name, seed);
  return `${PREFIX}${name}+${hex8(keyId)}+${toBase64(Uint8Array.of(NOTE_ED25519, ...seed))}`;
}

/**
 * Parses a signer key strictly (canonical spelling only, key ID checked
 * against the derived public key). Errors never quote the key.
 * @throws TypeError naming `field`
 */
export function parseSignerKey(skey: string, field = 'signer key'): NoteSigner {
  const fail = (why: string): never => {
    throw new TypeError(`${field}: ${why}`);
  };
  if (typeof skey !== 'string' || !skey.startsWith(PREFIX)) fail('expected PRIVATE+KEY+name+keyid+keydata');
  const [name, , data, ...rest] = skey.slice(PREFIX.length).split('+');
  if (!isValidKeyName(name) || data === undefined) fail('expected PRIVATE+KEY+name+keyid+keydata');
  let raw: Uint8Array;
  try {
    raw = fromBase64([data, ...rest].join('+'));
  } catch {
    return fail('key data is not canonical base64');
  }
  if (raw.length !== 33 || raw[0] !== NOTE_ED25519) fail('expected an Ed25519 (type 1) 32-byte seed');
  const seed = raw.slice(1);
  if (formatSignerKey(name!, seed) !== skey) fail('key ID does not match the key, or not in canonical form');
  return noteSigner(name!, seed);
}

/** Signs `body` with each signer, in order, as a C2SP signed note. */
export function signNote(body: string, signers: readonly NoteSigner[]): string {
  const message = new TextEncoder().encode(body);
  return formatSignedNote(
    body,
    signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(message) })),
  );
}
