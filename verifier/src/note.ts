/**
 * @module note
 * C2SP signed notes with Ed25519 keys (https://c2sp.org/signed-note; the
 * format of Go's golang.org/x/mod/sumdb/note), the envelope of a checkpoint.
 *
 * Verifier key (text):   <name> "+" hex8(key ID) "+" base64( 0x01 ‖ 32-byte Ed25519 public key )
 * Key ID (uint32):       first 4 bytes, big-endian, of SHA-256( name ‖ 0x0A ‖ 0x01 ‖ public key )
 * Key name:              non-empty, well-formed UTF-8, no Unicode White_Space, no "+"
 *
 * Signed note (UTF-8, no control characters below U+0020 except 0x0A):
 *
 *   body                  one or more lines, each ending in 0x0A (blank lines allowed)
 *   0x0A                  one blank line; the last "\n\n" in the note is this separator
 *   signature line × 1–100:
 *     U+2014 (em dash, E2 80 94) 0x20 <key name> 0x20 base64( key ID (4 bytes, big-endian) ‖ signature ) 0x0A
 *
 * The Ed25519 signature (RFC 8032, 64 bytes) covers the body's UTF-8 bytes
 * exactly, final newline included, separator excluded.
 *
 * `openNote` accepts what Go's note.Open accepts, less: base64 must be
 * canonical and hex lower-case, so a note or key has one spelling only.
 * Signatures from unknown keys are set aside, never trusted; a signature
 * from a known key that fails rejects the whole note.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, fromBase64, toBase64, utf8 } from './bytes.js';
import { VerifyError } from './errors.js';
import { nobleVerify } from './keys.js';
import type { SignatureVerifier } from './record.js';

/** Signature type byte of Ed25519 in the signed-note registry. */
export const NOTE_ED25519 = 0x01;
/** Go's note.Open limit; the spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

export interface VerifierKey {
  name: string;
  /** uint32 */
  keyId: number;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

export interface NoteSignature {
  name: string;
  /** uint32 */
  keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  signature: Uint8Array;
}

export interface OpenedNote {
  /** The signed text, final newline included. */
  body: string;
  /** Signatures that verified under a given key, in note order, one per key. */
  verified: NoteSignature[];
  /** Signatures from keys not given, in note order; never trust these. */
  unverified: NoteSignature[];
}

const CONTROL = /[\x00-\x09\x0b-\x1f]/;
const SPACE_OR_PLUS = /[\p{White_Space}+]/u;
// In a u-mode regexp only an unpaired surrogate is a code point of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
const SIGNATURE_PREFIX = '\u2014 ';

/** Key name rule of the spec, plus no control characters (which no note may carry). */
export function isValidKeyName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !LONE_SURROGATE.test(name) && !SPACE_OR_PLUS.test(name) && !CONTROL.test(name);
}

/** The recommended key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[0:4], big-endian. */
export function noteKeyId(name: string, publicKey: Uint8Array): number {
  if (!isValidKeyName(name)) throw new TypeError('name: not a valid key name (non-empty, no spaces, no "+")');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new TypeError('publicKey: expected 32 bytes');
  const h = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, NOTE_ED25519), publicKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** `name+hex8(keyID)+base64(0x01 ‖ publicKey)` */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = noteKeyId(name, publicKey);
  return `${name}+${hex8(id)}+${toBase64(concatBytes(Uint8Array.of(NOTE_ED25519), publicKey))}`;
}

/**
 * Parses a verifier key strictly: the text must be exactly what
 * formatVerifierKey gives for its name and key, so a mangled or re-spelled
 * key (upper-case hex, other base64 padding bits) is refused, not mapped to
 * a key nobody configured.
 * @throws TypeError naming `field`
 */
export function parseVerifierKey(vkey: string, field = 'vkey'): VerifierKey {
  const fail = (why: string): never => {
    throw new TypeError(`${field}: ${why}`);
  };
  if (typeof vkey !== 'string') fail('expected a string');
  const [name, id, data, ...rest] = vkey.split('+');
  // base64 may itself contain "+": rejoin everything after the second one.
  const b64 = [data, ...rest].join('+');
  if (name === undefined || id === undefined || data === undefined) fail('expected name+keyid+keydata');
  if (!isValidKeyName(name)) fail('key name must be non-empty with no spaces or "+"');
  if (!/^[0-9a-f]{8}$/.test(id!)) fail('key ID must be 8 lower-case hex digits');
  let key: Uint8Array;
  try {
    key = fromBase64(b64, field);
  } catch {
    return fail('key data is not canonical base64');
  }
  if (key[0] !== NOTE_ED25519) fail(`unknown signature type ${key[0] ?? 'none'} (only 1, Ed25519)`);
  if (key.length !== 33) fail('an Ed25519 key is 32 bytes');
  const publicKey = key.slice(1);
  const keyId = noteKeyId(name!, publicKey);
  if (hex8(keyId) !== id) fail(`key ID ${id} does not match the key (${hex8(keyId)})`);
  if (formatVerifierKey(name!, publicKey) !== vkey) fail('not in canonical form');
  return { name: name!, keyId, publicKey };
}

/**
 * body ‖ "\n" ‖ one signature line per signature. Refuses anything openNote
 * would refuse, so the log cannot publish a note its own verifiers reject.
 * @throws TypeError naming the bad argument
 */
export function formatSignedNote(body: string, signatures: readonly NoteSignature[]): string {
  if (typeof body !== 'string' || !body.endsWith('\n')) throw new TypeError('body: must end with a newline');
  if (LONE_SURROGATE.test(body)) throw new TypeError('body: not well-formed Unicode');
  if (CONTROL.test(body)) throw new TypeError('body: control characters other than newline are not allowed');
  if (!Array.isArray(signatures) || signatures.length === 0) throw new TypeError('signatures: at least one is needed');
  if (signatures.length > MAX_NOTE_SIGNATURES) throw new TypeError(`signatures: at most ${MAX_NOTE_SIGNATURES}`);
  const seen = new Set<string>();
  let out = `${body}\n`;
  signatures.forEach(({ name, keyId, signature }, i) => {
    if (!isValidKeyName(name)) throw new TypeError(`signatures[${i}].name: not a valid key name`);
    if (!Number.isInteger(keyId) || keyId < 0 || keyId > 0xffffffff) throw new TypeError(`signatures[${i}].keyId: expected a uint32`);
    if (!(signature instanceof Uint8Array) || signature.length === 0) throw new TypeError(`signatures[${i}].signature: expected bytes`);
    const key = `${name}+${hex8(keyId)}`;
    // openNote keeps only the first signature per key.
    if (seen.has(key)) throw new TypeError(`signatures[${i}]: a second signature by ${key}`);
    seen.add(key);
    out += `${SIGNATURE_PREFIX}${name} ${toBase64(concatBytes(uint32(keyId), signature))}\n`;
  });
  return out;
}

/**
 * Parses a signed note and checks its signatures against `keys` (as Go's
 * note.Open). Returns the body only if at least one known key signed it.
 * @throws VerifyError CHECKPOINT: malformed note, bad UTF-8 or control
 *   characters, more than 100 signatures, a known key's signature failing,
 *   two different given keys sharing name and key ID, or no verified signature
 */
export function openNote(text: string | Uint8Array, keys: readonly VerifierKey[], verify: SignatureVerifier = nobleVerify): OpenedNote {
  const fail = (why: string): never => {
    throw new VerifyError('CHECKPOINT', `signed note: ${why}`);
  };
  let note: string;
  if (text instanceof Uint8Array) {
    try {
      // ignoreBOM: a leading U+FEFF is part of the signed bytes, not to be dropped.
      note = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(text);
    } catch {
      return fail('not valid UTF-8');
    }
  } else if (typeof text === 'string') {
    if (LONE_SURROGATE.test(text)) fail('not well-formed Unicode (lone surrogate)');
    note = text;
  } else {
    return fail('expected a string or bytes');
  }
  if (!Array.isArray(keys)) throw new TypeError('keys: expected an array of verifier keys');
  if (CONTROL.test(note)) fail('contains a control character other than newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) fail('no blank line before the signatures');
  const body = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) fail('signature block missing or not ending in a newline');

  const message = utf8(body);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKeys = new Set<string>();
  const seenLines = new Set<string>();
  const lines = block.slice(0, -1).split('\n');
  lines.forEach((line, i) => {
    if (!line.startsWith(SIGNATURE_PREFIX)) fail(`line ${i + 1} of the signatures is not "— name signature"`);
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    let raw: Uint8Array = new Uint8Array(0);
    try {
      raw = fromBase64(b64);
    } catch {
      /* rejected below */
    }
    if (!isValidKeyName(name) || b64 === '' || raw.length < 5) fail(`signature line ${i + 1} is malformed`);
    if (i + 1 > MAX_NOTE_SIGNATURES) fail(`more than ${MAX_NOTE_SIGNATURES} signatures`);
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    const sig: NoteSignature = { name, keyId, signature: raw.slice(4) };
    const id = `${name}+${hex8(keyId)}`;

    const matches = keys.filter((k) => k.name === name && k.keyId === keyId);
    if (matches.length === 0) {
      // Unknown keys are ignored (witnesses, rotated keys), never trusted.
      if (!seenLines.has(line)) unverified.push(sig);
      seenLines.add(line);
      return;
    }
    if (matches.some((k) => !equalBytes(k.publicKey, matches[0]!.publicKey))) fail(`ambiguous key ${id}: two different keys given`);
    if (seenKeys.has(id)) return;
    seenKeys.add(id);
    if (!verify(matches[0]!.publicKey, message, sig.signature)) fail(`invalid signature for key ${id}`);
    verified.push(sig);
  });
  if (verified.length === 0) {
    const names = unverified.map((s) => `${s.name}+${hex8(s.keyId)}`).join(', ');
    fail(`no signature from a known key (signed by ${names})`);
  }
  return { body, verified, unverified };
}

/** Key ID as 8 lower-case hex digits, as in verifier keys and error messages. */
export function hex8(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function uint32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}
