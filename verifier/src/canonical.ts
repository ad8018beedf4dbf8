/**
 * @module canonical
 * JSON Canonicalization Scheme, RFC 8785 (JCS): the one byte encoding that
 * every hash and signature in rngseal covers.
 *
 * Object members are sorted by their UTF-16 code units, strings and numbers
 * are serialised as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2), and
 * no white space is emitted.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Returns the canonical text of `value`.
 * @throws TypeError on values JSON cannot carry (NaN, Infinity, undefined,
 *   functions, lone surrogates), naming the path of the offending member.
 */
export function canonicalize(value: unknown, path = '$'): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path}: number is not finite`);
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new TypeError(`${path}: string has a lone surrogate`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalize(v, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype || isNullProto(value)) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort(compareUtf16);
    return `{${keys.map((k) => `${canonicalize(k, path)}:${canonicalize(obj[k], `${path}.${k}`)}`).join(',')}}`;
  }
  throw new TypeError(`${path}: ${typeof value} is not JSON`);
}

function isNullProto(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null;
}

// RFC 8785 §3.2.3: sort by UTF-16 code units, which is what `<` on JS strings compares.
function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
