/**
 * @module canonical
 * JSON Canonicalization Scheme, RFC 8785 (JCS): the one byte encoding that
 * every hash and signature in rngseal covers.
 *
 * Object members are sorted by their UTF-16 code units, strings and numbers
 * are serialised as ECMAScript's JSON.stringify does (RFC 8785 §3.2.2), and
 * no white space is emitted. The service encodes every record with it, so
 * encoding allocates nothing but the output; the path of a bad member is
 * worked out only when there is one.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Returns the canonical text of `value`.
 * @throws TypeError on values JSON cannot carry (NaN, Infinity, undefined,
 *   functions, lone surrogates), naming the path of the offending member.
 */
export function canonicalize(value: unknown, path = '$'): string {
  try {
    return encode(value);
  } catch (err) {
    if (!(err instanceof NotJson)) throw err;
    const [where, why] = locate(value, path) ?? [path, err.message];
    throw new TypeError(`${where}: ${why}`);
  }
}

/**
 * Whether `text` is the canonical encoding of `parsed`, which must be
 * JSON.parse(text): canonicalize(parsed) === text, without encoding in the
 * common case. JSON.stringify re-serialises a parsed value with JCS's
 * number and string forms and no white space, and drops one of any
 * duplicate members, so its output equals the text exactly when the text
 * has those forms, no duplicates, and members in the order JSON.parse
 * keeps; that order is JCS's when every object's keys are sorted. A `\u`
 * in the text (a control character, a lone surrogate — which canonicalize
 * refuses — or a backslash before a `u`) and integer-like member names
 * (JSON.parse moves them first) take the encoder, which decides.
 */
export function isCanonicalJson(text: string, parsed: unknown): boolean {
  if (!text.includes('\\u') && keysSorted(parsed) && JSON.stringify(parsed) === text) return true;
  try {
    return canonicalize(parsed) === text;
  } catch {
    return false;
  }
}

/**
 * canonicalize(a) === canonicalize(b), without encoding when both are
 * finite numbers or arrays of them (every mapping's result): finite numbers
 * have one JSON form each, but −0 and 0 share one, as === has it.
 * @throws TypeError as canonicalize
 */
export function sameCanonical(a: unknown, b: unknown): boolean {
  return sameNumbers(a, b) ?? canonicalize(a) === canonicalize(b);
}

/** Whether finite numbers, or arrays of them, are equal; undefined for any other values. */
function sameNumbers(a: unknown, b: unknown): boolean | undefined {
  if (typeof a === 'number' && typeof b === 'number') return Number.isFinite(a) && Number.isFinite(b) ? a === b : undefined;
  if (!Array.isArray(a) || !Array.isArray(b)) return undefined;
  let same = a.length === b.length;
  for (const items of [a, b]) {
    for (let i = 0; i < items.length; i++) if (typeof items[i] !== 'number' || !Number.isFinite(items[i])) return undefined;
  }
  for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
  return same;
}

/** Every object in `value` has its keys (in property order) sorted by UTF-16 code units. */
function keysSorted(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!keysSorted(value[i])) return false;
    return true;
  }
  let before: string | undefined;
  for (const key in value) {
    if (before !== undefined && !(before < key)) return false;
    if (!keysSorted((value as Record<string, unknown>)[key])) return false;
    before = key;
  }
  return true;
}

class NotJson extends Error {}

function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new NotJson('string has a lone surrogate');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson('number is not finite');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return encodeArray(value);
      if (isPlainObject(value)) return encodeObject(value as Record<string, unknown>);
  }
  throw new NotJson(`${typeof value} is not JSON`);
}

function encodeArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i > 0 ? ',' : '') + encode(items[i]);
  return `${out}]`;
}

function encodeObject(obj: Record<string, unknown>): string {
  // RFC 8785 §3.2.3: sort by UTF-16 code units, which is what the default sort compares.
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const key of keys) {
    const member = obj[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${encode(key)}:${encode(member)}`;
  }
  return `${out}}`;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The first member, depth first in canonical order, that encode() refuses: [path, reason]. */
function locate(value: unknown, path: string): [string, string] | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = locate(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null && isPlainObject(value)) {
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      const found = locate(key, path) ?? locate(member, `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  try {
    encode(value);
    return null;
  } catch (err) {
    return [path, (err as Error).message];
  }
}
