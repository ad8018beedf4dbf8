/**
 * @module bytes
 * Byte helpers shared by every verifier module. Uint8Array only, no Buffer:
 * this package must run unchanged in a browser.
 */

/** The two hex digits of each byte value. */
const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_PAIRS[bytes[i]!];
  return out;
}

/** Value of each lower-case hex digit by char code; -1 for every other code below 128. */
const DIGIT_VALUES = Int8Array.from({ length: 128 }, (_, c) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1));

/** Value of a lower-case hex digit's char code, or -1. */
function hexDigit(code: number): number {
  return code < 128 ? DIGIT_VALUES[code]! : -1;
}

/** Whether `text` is lower-case hex of an even number of digits (exactly `digits` of them, when given). */
export function isLowerHex(text: unknown, digits?: number): text is string {
  if (typeof text !== 'string' || text.length % 2 !== 0) return false;
  if (digits !== undefined && text.length !== digits) return false;
  // A loop over a table: on the strings JSON.parse makes, twice as fast as a regular expression.
  for (let i = 0; i < text.length; i++) if (hexDigit(text.charCodeAt(i)) < 0) return false;
  return true;
}

/** Parses lower-case hex; throws TypeError naming `field` on anything else. */
export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) throw new TypeError(`${field}: expected lower-case hex`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const high = hexDigit(hex.charCodeAt(2 * i));
    const low = hexDigit(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) throw new TypeError(`${field}: expected lower-case hex`);
    out[i] = high * 16 + low;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [18, 12, 6, 0].map((s) => B64[(n >> s) & 63]);
    const pad = 3 - Math.min(3, bytes.length - i);
    out += chars.slice(0, 4 - pad).join('') + '='.repeat(pad);
  }
  return out;
}

/** Strict base64 decode: canonical padding only; throws TypeError naming `field`. */
export function fromBase64(text: string, field = 'base64'): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new TypeError(`${field}: expected base64`);
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j]!;
      n = (n << 6) | (c === '=' ? 0 : B64.indexOf(c));
    }
    for (const s of [16, 8, 0]) if (o < out.length) out[o++] = (n >> s) & 255;
  }
  if (toBase64(out) !== text) throw new TypeError(`${field}: non-canonical base64`);
  return out;
}

const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is content, not a marker to drop silently.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Up to this many chars, ASCII is copied by hand: TextEncoder allocates a
 * buffer outside the heap per call, which costs more than a short string's
 * bytes (an outcome's stream encodes one short message per 32 bytes).
 */
const SHORT = 64;

export function utf8(text: string): Uint8Array {
  if (text.length > SHORT) return encoder.encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return encoder.encode(text);
    out[i] = c;
  }
  return out;
}
export const fromUtf8 = (bytes: Uint8Array): string => decoder.decode(bytes);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Constant-time comparison for equal-length inputs. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
