/**
 * RFC 8785 (JCS) examples: §3.2.2 serialisation, §3.2.3 sorting, and the
 * Appendix B number table.
 */

import { describe, expect, it } from 'vitest';
import { canonicalize } from '../src/canonical.js';

describe('RFC 8785 JCS', () => {
  it('§3.2.2: serialises the spec example exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('§3.2.3: sorts member names by UTF-16 code units', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    // Read the names from the text: JSON.parse would put the integer-like "1" first again.
    const keys = [...canonicalize(input).matchAll(/"((?:[^"\\]|\\.)*)":"/g)].map((m) => JSON.parse(`"${m[1]}"`));
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('Appendix B: formats IEEE 754 doubles as ECMAScript does', () => {
    const table: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ];
    for (const [bits, expected] of table) {
      const value = new DataView(new Uint8Array(Buffer.from(bits, 'hex')).buffer).getFloat64(0);
      expect(canonicalize(value), bits).toBe(expected);
    }
  });

  it('refuses what JSON cannot carry, naming the path', () => {
    expect(() => canonicalize({ a: [1, Number.NaN] })).toThrow('$.a[1]: number is not finite');
    expect(() => canonicalize({ s: '\ud800' })).toThrow('$.s: string has a lone surrogate');
    expect(() => canonicalize({ d: new Date(0) })).toThrow(TypeError);
  });

  it('omits undefined members and keeps nested order canonical', () => {
    expect(canonicalize({ b: 1, a: { d: undefined, c: [{ z: 1, y: 2 }] } })).toBe('{"a":{"c":[{"y":2,"z":1}]},"b":1}');
  });
});
