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
