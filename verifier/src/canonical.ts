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
 * common case (inCanonicalForm), and by encoding otherwise.
 */
export function isCanonicalJson(text: string, parsed: unknown): boolean {
  if (inCanonicalForm(text)) return true;
  try {
    return canonicalize(parsed) === text;
  } catch {
    return false;
  }
}

const enum Char {
  Tab = 0x09, Newline = 0x0a, Return = 0x0d, Space = 0x20, Quote = 0x22, Plus = 0x2b, Comma = 0x2c, Minus = 0x2d, Dot = 0x2e,
  Zero = 0x30, Nine = 0x39, UpperE = 0x45, LeftBracket = 0x5b, RightBracket = 0x5d, LowerE = 0x65, LeftBrace = 0x7b, RightBrace = 0x7d,
}

/**
 * A sufficient test in one pass over a JSON text, cheaper than encoding
 * what it parses to: true only when the text is canonical. It is, when it
 * has no white space; no escapes (JSON.parse admits no raw control
 * character or quote in a string, and a well-formed text no lone
 * surrogate, so every string is written as JCS writes it); integers only,
 * none −0 or beyond 2^53, so each has one decimal form; and each object's
 * member names in strictly increasing UTF-16 code-unit order, which also
 * rules out duplicates. false means undecided (an escape, an exponent, a
 * fraction, a large integer, or not canonical at all). `text` is a JSON
 * text, or a stretch of one that must be a single value (record.ts checks
 * a record's body this way): anything else is refused.
 */
export function inCanonicalForm(text: string): boolean {
  if (text.includes('\\') || !text.isWellFormed()) return false;
  // Per open container, from 2 × depth: the last member name's [start, end) in an object (−1 before the first), or −2 for an array.
  const lastName: number[] = [];
  let depth = 0;
  let nameExpected = false;
  let value = 0; // the integer being read
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= Char.Zero && c <= Char.Nine) {
      value = value * 10 + (c - Char.Zero);
      if (value > Number.MAX_SAFE_INTEGER) return false;
      continue;
    }
    value = 0;
    switch (c) {
      case Char.Quote: {
        const end = text.indexOf('"', i + 1);
        if (end < 0) return false;
        if (nameExpected) {
          const top = 2 * depth - 2;
          if (lastName[top]! >= 0 && !codeUnitsAfter(text, i + 1, end, lastName[top]!, lastName[top + 1]!)) return false;
          lastName[top] = i + 1;
          lastName[top + 1] = end;
          nameExpected = false;
        }
        i = end;
        break;
      }
      case Char.LeftBrace:
        lastName[2 * depth] = -1;
        lastName[2 * depth++ + 1] = -1;
        nameExpected = true;
        break;
      case Char.LeftBracket:
        lastName[2 * depth++] = -2;
        break;
      case Char.RightBrace:
      case Char.RightBracket:
        // One value: the outermost container closes at the very end.
        if (--depth < 0 || (depth === 0 && i !== text.length - 1)) return false;
        break;
      case Char.Comma:
        if (depth === 0) return false;
        nameExpected = lastName[2 * depth - 2]! !== -2;
        break;
      case Char.Minus:
        if (text.charCodeAt(i + 1) === Char.Zero) return false;
        break;
      case Char.LowerE:
      case Char.UpperE:
        // An exponent follows a digit; the e of true and false does not.
        if (text.charCodeAt(i - 1) >= Char.Zero && text.charCodeAt(i - 1) <= Char.Nine) return false;
        break;
      case Char.Dot:
      case Char.Plus:
      case Char.Space:
      case Char.Tab:
      case Char.Newline:
      case Char.Return:
        return false;
    }
  }
  return depth === 0;
}

/** Whether text[start, end) comes strictly after text[prevStart, prevEnd) in UTF-16 code-unit order. */
function codeUnitsAfter(text: string, start: number, end: number, prevStart: number, prevEnd: number): boolean {
  const n = Math.min(end - start, prevEnd - prevStart);
  for (let k = 0; k < n; k++) {
    const a = text.charCodeAt(start + k);
    const b = text.charCodeAt(prevStart + k);
    if (a !== b) return a > b;
  }
  return end - start > prevEnd - prevStart;
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
