/**
 * isCanonicalJson (the canonical check, which decides most texts in one scan) and
 * sameCanonical must give canonicalize's verdict on every input: texts and
 * values generated from a seeded PRNG, with the tricky cases over-weighted
 * (escapes, surrogates, −0, 1e21, duplicates, unsorted and integer-like
 * keys, white space).
 */

import { describe, expect, it } from 'vitest';
import { canonicalize, inCanonicalForm, isCanonicalJson, sameCanonical } from '../src/canonical.js';

/** xorshift32: the same inputs on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const KEYS = ['a', 'b', 'B', 'ab', '', '1', '10', '9', '0', '__proto__', 'é', '\u20ac', '\ud83d\ude00', 'z', 'toJSON'];
const STRINGS = ['', 'x', 'a"b', 'back\\slash', 'tab\t', 'nl\n', '\u0001', '\u007f', 'é', '\u2028', '😀', '\ud800', '\udc00x', '\\u0041', '/'];
const NUMBERS = ['0', '-0', '1', '-1', '1.5', '1e21', '1e+21', '100000000000000000000', '1E2', '0.1', '1e-7', '0.0000001', '5e-324', '9007199254740993', '1.0', '2e0', '1e999'];

/** A JSON text, often canonical, sometimes slightly not. */
function genText(rand: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const ws = () => (rand() < 0.03 ? pick([' ', '\n', '\t']) : '');
  const str = (s: string) => {
    const escaped = JSON.stringify(s);
    // Other spellings of the same string: \u escapes, escaped slash.
    if (rand() < 0.1) return escaped.replace(/[a-z]/, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (rand() < 0.05) return escaped.replace('/', '\\/');
    // A raw lone surrogate where JSON.stringify would escape it.
    if (rand() < 0.05 && !s.isWellFormed()) return `"${s}"`;
    return escaped;
  };
  const r = rand();
  if (depth > 2 || r < 0.35) {
    const leaf = rand();
    if (leaf < 0.4) return pick(NUMBERS);
    if (leaf < 0.8) return str(pick(STRINGS));
    return pick(['true', 'false', 'null']);
  }
  if (r < 0.55) {
    const n = Math.floor(rand() * 4);
    return `[${ws()}${Array.from({ length: n }, () => genText(rand, depth + 1)).join(`,${ws()}`)}]`;
  }
  const n = Math.floor(rand() * 5);
  let keys = Array.from({ length: n }, () => pick(KEYS));
  if (rand() < 0.6) keys = [...new Set(keys)].sort(); // mostly canonical: unique, code-unit order
  return `{${keys.map((k) => `${str(k)}${ws()}:${genText(rand, depth + 1)}`).join(',')}}`;
}

function canonicalVerdict(text: string, parsed: unknown): boolean {
  try {
    return canonicalize(parsed) === text;
  } catch {
    return false;
  }
}

describe('isCanonicalJson', () => {
  it('agrees with canonicalize on 20,000 generated texts, accepting and refusing many', () => {
    const rand = prng(20240601);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 20000; i++) {
      const text = genText(rand);
      const parsed = JSON.parse(text) as unknown;
      const expected = canonicalVerdict(text, parsed);
      expect(isCanonicalJson(text, parsed), `case ${i}: ${text}`).toBe(expected);
      if (expected) accepted++;
      else refused++;
    }
    // The generator must exercise both verdicts, or the agreement proves little.
    expect(accepted).toBeGreaterThan(3000);
    expect(refused).toBeGreaterThan(3000);
  });

  it.each([
    ['{"a":1,"b":2}', true, 'sorted members'],
    ['{"b":2,"a":1}', false, 'unsorted members'],
    ['{"a":1,"a":1}', false, 'a duplicate member'],
    ['{"10":1,"9":2}', true, 'integer-like names in code-unit order (JSON.parse reorders them)'],
    ['{"9":2,"10":1}', false, 'integer-like names in numeric order'],
    ['[-0]', false, '-0'],
    ['[0]', true, '0'],
    ['[1e21]', false, '1e21 (ES writes 1e+21)'],
    ['[1e+21]', true, '1e+21'],
    ['[1e999]', false, 'a number beyond binary64'],
    ['["\\ud800"]', false, 'an escaped lone surrogate'],
    ['["\ud800"]', false, 'a raw lone surrogate'],
    ['["\\u0001"]', true, 'a control character, escaped as ES does'],
    ['["\\u0041"]', false, 'an escaped letter'],
    ['["\\\\u0041"]', true, 'a backslash before u'],
    ['["😀"]', true, 'a surrogate pair, raw'],
    ['["\\ud83d\\ude00"]', false, 'a surrogate pair, escaped'],
    ['{"a": 1}', false, 'white space'],
    ['{"__proto__":1}', true, 'a member named __proto__'],
    ['{"a":{"b":1,"a":2}}', false, 'unsorted members in a nested object'],
    ['{"a":[{"b":1},{"a":1}],"b":2}', true, 'sorted members around objects in an array'],
    ['{"b":{"z":1},"a":2}', false, 'unsorted members after a nested object'],
    ['{"z":2,"é":1}', true, 'a non-ASCII name after an ASCII one'],
    ['{"é":1,"z":2}', false, 'a non-ASCII name before an ASCII one'],
    ['{"\u{1F600}":1,"\uE000":2}', true, 'U+1F600 before U+E000 (code units, not code points)'],
    ['{"a":1,"ab":2,"b":3}', true, 'a prefix before its extension'],
    ['{"ab":1,"a":2}', false, 'an extension before its prefix'],
    ['[9007199254740991,-9007199254740991]', true, 'the largest safe integers'],
    ['[9007199254740993]', false, 'an integer JSON.parse rounds'],
    ['[1E2]', false, 'a capital exponent'],
    ['[-10,0,10]', true, 'integers around zero'],
    ['[true,false,null,"e"]', true, 'literals and an e in a string'],
    ['"a b"', true, 'a top-level string with a space inside'],
    ['7', true, 'a top-level integer'],
  ])('%s → %s (%s)', (text, expected) => {
    const parsed = JSON.parse(text) as unknown;
    expect(canonicalVerdict(text, parsed)).toBe(expected);
    expect(isCanonicalJson(text, parsed)).toBe(expected);
  });
});

describe('inCanonicalForm', () => {
  it('refuses what is not one JSON value (record.ts scans a stretch cut out of a record)', () => {
    for (const text of ['{}{}', '{},{}', '{"a":1}}', '}', ']', '{"a":1},"b":{', '[1],2', '{"a":"x', '[1,2']) {
      expect(inCanonicalForm(text), text).toBe(false);
    }
    for (const text of ['{}', '[]', '{"a":[1,{"b":2}]}', '[[],{}]']) expect(inCanonicalForm(text), text).toBe(true);
  });
});

describe('sameCanonical', () => {
  it('agrees with comparing canonical encodings on generated pairs', () => {
    const rand = prng(7);
    const values: unknown[] = [0, -0, 1, 2, 1e21, 0.5, '1', [1, 2], [1, -0], [0, 1], [2, 1], [1, 2, 3], [], [[1]], [1, '2'], { a: 1 }, null, true, [null]];
    for (let i = 0; i < 2000; i++) {
      const a = values[Math.floor(rand() * values.length)];
      const b = rand() < 0.3 ? structuredClone(a) : values[Math.floor(rand() * values.length)];
      expect(sameCanonical(a, b), `${canonicalize(a)} vs ${canonicalize(b)}`).toBe(canonicalize(a) === canonicalize(b));
    }
  });

  it('throws as canonicalize does on values JSON cannot carry', () => {
    expect(() => sameCanonical([1, Number.NaN], [1, 2])).toThrow('$[1]: number is not finite');
    expect(() => sameCanonical(Number.POSITIVE_INFINITY, 1)).toThrow(TypeError);
  });
});
