/**
 * The table-driven hex helpers (bytes.ts) against Node's own hex codec: every
 * byte value both ways, and every refusal — upper case, odd length, a
 * non-hex character at any position, a non-string — naming the field.
 */

import { describe, expect, it } from 'vitest';
import { fromHex, isLowerHex, toHex } from '../src/bytes.js';

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('hex', () => {
  it('toHex and fromHex agree with Buffer on every byte value', () => {
    const hex = Buffer.from(ALL_BYTES).toString('hex');
    expect(toHex(ALL_BYTES)).toBe(hex);
    expect(fromHex(hex)).toEqual(ALL_BYTES);
    expect(toHex(new Uint8Array(0))).toBe('');
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it('refuses anything but lower-case hex of even length, naming the field', () => {
    for (const bad of ['A0', '0', 'abc', '0g', 'g0', ' 00', '00 ', '0x00', 'ａａ']) {
      expect(() => fromHex(bad, 'sig'), bad).toThrow(new TypeError('sig: expected lower-case hex'));
      expect(isLowerHex(bad), bad).toBe(false);
    }
    expect(() => fromHex(7 as unknown as string, 'seed')).toThrow('seed: expected lower-case hex');
    // Every position is checked, the first and the last digit included.
    const good = toHex(ALL_BYTES.subarray(0, 32));
    for (let i = 0; i < good.length; i++) {
      const bad = `${good.slice(0, i)}G${good.slice(i + 1)}`;
      expect(() => fromHex(bad), `position ${i}`).toThrow(TypeError);
      expect(isLowerHex(bad, 64), `position ${i}`).toBe(false);
    }
  });

  it('isLowerHex checks the exact length when given', () => {
    const h = toHex(ALL_BYTES.subarray(0, 8));
    expect(isLowerHex(h)).toBe(true);
    expect(isLowerHex(h, 16)).toBe(true);
    expect(isLowerHex(h, 18)).toBe(false);
    expect(isLowerHex(`${h}00`, 16)).toBe(false);
    expect(isLowerHex(null, 16)).toBe(false);
  });
});
