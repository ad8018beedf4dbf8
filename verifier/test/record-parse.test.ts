/**
 * parseRecord accepts a record's canonical text and nothing else: its
 * envelope is compared as text and only the body goes through the generic
 * canonical check, so every way of re-encoding either part must be refused.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalize, parseRecord, recordHash, toHex, unsignedText, VerifyError } from '../src/index.js';

const vectors = JSON.parse(readFileSync(new URL('../../docs/vectors.json', import.meta.url), 'utf8'));
const texts: string[] = vectors.records.cases.filter((c: { valid: boolean }) => c.valid).map((c: { text: string }) => c.text);

describe('parseRecord', () => {
  it('accepts every valid vector, and its unsigned text is what the hash covers', () => {
    expect(texts.length).toBeGreaterThan(3);
    for (const text of texts) {
      const record = parseRecord(text);
      expect(canonicalize(record)).toBe(text);
      expect(unsignedText(text)).toBe(canonicalize({ ...record, hash: undefined, sig: undefined }));
      expect(toHex(recordHash(record))).toBe(record.hash);
    }
  });

  const text = texts.find((t) => t.includes('"type":"outcome"'))!;
  const rewrites: Array<[string, (t: string) => string]> = [
    ['a space in the envelope', (t) => t.replace(',"seq":', ', "seq":')],
    ['a space in the body', (t) => t.replace('{"body":{', '{"body": {')],
    ['a newline at the end', (t) => `${t}\n`],
    ['chain before body', (t) => {
      const r = JSON.parse(t);
      return `{"chain":${JSON.stringify(r.chain)},"body":${canonicalize(r.body)}${t.slice(t.indexOf(',"hash":'))}`;
    }],
    ['an escaped letter in chain', (t) => t.replace('"chain":"v', '"chain":"\\u0076')],
    ['an escaped slash in the body', (t) => t.replace('"mapping":"', '"mapping":"\\/')],
    ['seq as an exponent', (t) => t.replace(/"seq":(\d+)/, (_, n) => `"seq":${n}e0`)],
    ['time with a fraction', (t) => t.replace(/"time":(\d+)/, (_, n) => `"time":${n}.0`)],
    ['a duplicated body', (t) => t.replace('{"body":', '{"body":{},"body":')],
    ['a duplicated envelope member', (t) => t.replace(',"v":1}', ',"v":1,"v":1}')],
    ['body members out of order', (t) => {
      const r = JSON.parse(t);
      const body = Object.keys(r.body).reverse().map((k) => `${JSON.stringify(k)}:${canonicalize(r.body[k])}`).join(',');
      return t.replace(canonicalize(r.body), `{${body}}`);
    }],
  ];
  for (const [name, rewrite] of rewrites) {
    it(`refuses ${name}`, () => {
      const changed = rewrite(text);
      expect(changed).not.toBe(text);
      expect(() => parseRecord(changed)).toThrow(VerifyError);
    });
  }

  it('names a body number that is not a safe integer, written canonically or not', () => {
    for (const [from, to] of [['"nonce":0', '"nonce":0.5'], ['"nonce":0', '"nonce":9007199254740993'], ['"nonce":0', '"nonce":1e300']]) {
      const changed = text.replace(from!, to!);
      expect(changed).not.toBe(text);
      expect(() => parseRecord(changed)).toThrow(/body\.draws\[0\]\.nonce: numbers must be safe integers/);
    }
  });

  it('refuses a lone surrogate in chain, which has no canonical form', () => {
    expect(() => parseRecord(text.replace('"chain":"v', '"chain":"\\ud800v'))).toThrow(VerifyError);
  });
});
