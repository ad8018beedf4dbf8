/**
 * @module test/ctr-drbg
 * CTR_DRBG (AES-256, SP 800-90A Rev.1 §10.2.1) against NIST CAVP
 * known-answer vectors (fixtures/ctr-drbg-cavp.json, with its origin), and
 * the behaviour the vectors do not reach: output lengths that are not whole
 * blocks, the request limit, reseed_interval, argument checks.
 */

import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CtrDrbg,
  MAX_REQUEST_BYTES,
  ReseedRequiredError,
  blockCipherDf,
  generateBytes,
} from '../src/drbg/index.js';
import { addToCounter, counterKeystream } from '../src/drbg/aes.js';

interface CavpCase {
  file: 'pr_false' | 'no_reseed';
  section: string;
  personalizationStringLen: number;
  additionalInputLen: number;
  group: number;
  count: number;
  entropyInput: string;
  nonce: string;
  personalizationString: string;
  entropyInputReseed?: string;
  additionalInputReseed?: string;
  additionalInput: [string, string];
  returnedBits: string;
}

interface CavpFixture {
  cases: CavpCase[];
  crossChecks: Array<{ source: string; case: Partial<CavpCase>; returnedBits: string }>;
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/ctr-drbg-cavp.json', import.meta.url), 'utf8'),
) as CavpFixture;

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function label(c: CavpCase): string {
  return (
    `${c.file} ${c.section} [PersonalizationStringLen = ${c.personalizationStringLen}] ` +
    `[AdditionalInputLen = ${c.additionalInputLen}] group ${c.group} COUNT = ${c.count}`
  );
}

/** The CAVP procedure: instantiate, (reseed), generate, generate; the second output is ReturnedBits. */
function run(c: CavpCase): string {
  const drbg = new CtrDrbg({ derivationFunction: c.section.includes('use df') });
  drbg.instantiate(hex(c.entropyInput), c.nonce ? hex(c.nonce) : undefined, hex(c.personalizationString));
  if (c.file === 'pr_false') drbg.reseed(hex(c.entropyInputReseed!), hex(c.additionalInputReseed!));
  drbg.generate(c.returnedBits.length / 2, hex(c.additionalInput[0]));
  return toHex(drbg.generate(c.returnedBits.length / 2, hex(c.additionalInput[1])));
}

describe('CtrDrbg: NIST CAVP known answers', () => {
  it('covers use df / no df, with and without reseed, personalization and additional input', () => {
    const combos = new Set(
      fixture.cases.map((c) => `${c.file} ${c.section} P${c.personalizationStringLen > 0} A${c.additionalInputLen > 0}`),
    );
    for (const file of ['pr_false', 'no_reseed']) {
      for (const P of [false, true]) {
        expect(combos.has(`${file} [AES-256 use df] P${P} A${P}`)).toBe(true);
        expect(combos.has(`${file} [AES-256 use df] P${P} A${!P}`)).toBe(true);
        expect(combos.has(`${file} [AES-256 no df] P${P} Afalse`)).toBe(true);
      }
    }
    expect(combos.has('pr_false [AES-256 no df] Ptrue Atrue')).toBe(true);
    expect(fixture.cases.length).toBeGreaterThan(150);
  });

  it('returns every case’s ReturnedBits', () => {
    for (const c of fixture.cases) expect(run(c), label(c)).toBe(c.returnedBits);
  });

  it('agrees with the independent copies the fixture was cross-checked against', () => {
    for (const check of fixture.crossChecks) {
      const c = fixture.cases.find((x) => Object.entries(check.case).every(([k, v]) => x[k as keyof CavpCase] === v));
      expect(c, `fixture holds the case ${check.source} quotes`).toBeDefined();
      expect(c!.returnedBits, check.source).toBe(check.returnedBits);
    }
  });
});

describe('CtrDrbg: beyond the vectors', () => {
  const seeded = (df = true): CtrDrbg => {
    const drbg = new CtrDrbg({ derivationFunction: df });
    if (df) drbg.instantiate(new Uint8Array(32).fill(1), new Uint8Array(16).fill(2));
    else drbg.instantiate(new Uint8Array(48).fill(1));
    return drbg;
  };

  it('returns a prefix of the whole-block output for lengths that are not multiples of 16', () => {
    const full = seeded().generate(64);
    for (const n of [1, 15, 16, 17, 63]) expect(toHex(seeded().generate(n)), `${n} bytes`).toBe(toHex(full.subarray(0, n)));
  });

  it('matches a block-by-block model of §10.2.1 over requests of many lengths (V advances per block)', () => {
    // Independent model: AES-256-ECB one block at a time, V incremented as a
    // 128-bit big-endian integer, CTR_DRBG_Update after every request.
    const model = { key: new Uint8Array(32), v: new Uint8Array(16) };
    const encrypt = (key: Uint8Array, block: Uint8Array): Uint8Array => {
      const c = createCipheriv('aes-256-ecb', key, null);
      c.setAutoPadding(false);
      return c.update(block);
    };
    const increment = (v: Uint8Array): void => {
      for (let i = 15; i >= 0 && ++v[i]! === 256; i--) v[i] = 0;
    };
    const update = (provided: Uint8Array): void => {
      const temp: number[] = [];
      for (let i = 0; i < 3; i++) {
        increment(model.v);
        temp.push(...encrypt(model.key, model.v));
      }
      const next = temp.map((t, i) => t ^ provided[i]!);
      model.key = Uint8Array.from(next.slice(0, 32));
      model.v = Uint8Array.from(next.slice(32));
    };
    const seed = Uint8Array.from({ length: 48 }, (_, i) => i * 7);
    update(seed);
    const drbg = new CtrDrbg({ derivationFunction: false });
    drbg.instantiate(seed);
    for (const n of [1, 15, 16, 17, 31, 32, 33, 100, 4099, MAX_REQUEST_BYTES]) {
      const out: number[] = [];
      while (out.length < n) {
        increment(model.v);
        out.push(...encrypt(model.key, model.v));
      }
      update(new Uint8Array(48));
      expect(toHex(drbg.generate(n)), `request of ${n} bytes`).toBe(toHex(Uint8Array.from(out.slice(0, n))));
    }
  });

  it('gets E(K, V+1) ‖ E(K, V+2) ‖ … from AES-256-CTR, carrying through all 128 bits and wrapping at 2^128', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const ecb = (block: Uint8Array): string => {
      const c = createCipheriv('aes-256-ecb', key, null);
      c.setAutoPadding(false);
      return toHex(c.update(block));
    };
    const v = new Uint8Array(16).fill(0xff);
    v[15] = 0xfe; // V = 2^128 − 2: blocks are V+1 = 2^128 − 1, then 0, then 1
    const expected = [new Uint8Array(16).fill(0xff), new Uint8Array(16), Uint8Array.of(...new Uint8Array(15), 1)];
    expect(toHex(counterKeystream(key, v, 3))).toBe(expected.map(ecb).join(''));
    const mid = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    addToCounter(mid, 1); // a 64-bit counter would stop at the middle; this one carries
    expect(toHex(mid)).toBe('00000000000000020000000000000000');
    addToCounter(v, 2);
    expect(toHex(v)).toBe('00000000000000000000000000000000');
  });

  it('serves at most 2^19 bits per generate; generateBytes splits larger requests', () => {
    const drbg = seeded();
    expect(() => drbg.generate(MAX_REQUEST_BYTES + 1)).toThrow(/^nBytes:/);
    expect(drbg.generate(MAX_REQUEST_BYTES).length).toBe(MAX_REQUEST_BYTES);
    const big = seeded();
    const split = seeded();
    const out = generateBytes(big, 3 * MAX_REQUEST_BYTES + 5);
    const parts = [MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, 5].map((n) => toHex(split.generate(n)));
    expect(toHex(out)).toBe(parts.join(''));
    expect(big.reseedCounter).toBe(5);
  });

  it('refuses to generate past reseedInterval until reseeded', () => {
    const drbg = new CtrDrbg({ derivationFunction: true, reseedInterval: 2 });
    drbg.instantiate(new Uint8Array(32), new Uint8Array(16));
    drbg.generate(16);
    drbg.generate(16);
    expect(() => drbg.generate(16)).toThrow(ReseedRequiredError);
    drbg.reseed(new Uint8Array(32).fill(9));
    expect(drbg.reseedCounter).toBe(1);
    expect(drbg.generate(16).length).toBe(16);
  });

  it('zeroizes on uninstantiate and then refuses to generate', () => {
    const drbg = seeded();
    drbg.uninstantiate();
    expect(drbg.instantiated).toBe(false);
    expect(() => drbg.generate(16)).toThrow(/not instantiated/);
  });

  it('checks input lengths, naming the argument', () => {
    const df = new CtrDrbg({ derivationFunction: true });
    expect(() => df.instantiate(new Uint8Array(31), new Uint8Array(16))).toThrow(/^entropyInput:/);
    expect(() => df.instantiate(new Uint8Array(32), new Uint8Array(15))).toThrow(/^nonce:/);
    const noDf = new CtrDrbg({ derivationFunction: false });
    expect(() => noDf.instantiate(new Uint8Array(47))).toThrow(/^entropyInput:/);
    expect(() => noDf.instantiate(new Uint8Array(48), new Uint8Array(16))).toThrow(/^nonce:/);
    expect(() => noDf.instantiate(new Uint8Array(48), undefined, new Uint8Array(49))).toThrow(/^personalizationString:/);
    expect(() => seeded(false).generate(16, new Uint8Array(49))).toThrow(/^additionalInput:/);
    expect(() => seeded().generate(0)).toThrow(/^nBytes:/);
    expect(() => new CtrDrbg({ derivationFunction: 'yes' as never })).toThrow(TypeError);
    expect(() => new CtrDrbg({ derivationFunction: true, reseedInterval: 2 ** 48 + 1 })).toThrow(/^options.reseedInterval:/);
    expect(() => blockCipherDf([new Uint8Array(1)], 65)).toThrow(/^outputBytes:/);
  });
});
