/**
 * @module test/mappings
 * Every mapping: parameter validation, determinism, structural properties,
 * and exact unbiasedness proven by enumerating every byte input of the
 * accept-only length (rather than sampling, as the chi-square file does).
 */

import { describe, expect, it } from 'vitest';
import { fromHex } from '../src/bytes.js';
import type { Json } from '../src/canonical.js';
import { type ByteStream, deriveStream, uniform } from '../src/derive.js';
import { dice } from '../src/mappings/dice.js';
import { draw } from '../src/mappings/draw.js';
import { float, floatValue } from '../src/mappings/float.js';
import { MAPPINGS, mappingById, mappingByName } from '../src/mappings/index.js';
import type { Mapping, Params } from '../src/mappings/mapping.js';
import { range } from '../src/mappings/range.js';
import { reels } from '../src/mappings/reels.js';
import { shuffle } from '../src/mappings/shuffle.js';
import { weighted } from '../src/mappings/weighted.js';
import { enumerateOutcomes, scriptedStream } from './stats.js';

const KEY = fromHex('7a1c9e3b5d2f4a6c8e0b1d3f5a7c9e2b4d6f8a0c2e4b6d8f1a3c5e7b9d0f2a4c');
const SEED = 'mappings-test';
const MAX = Number.MAX_SAFE_INTEGER;

// The registry is typed loosely; tests call mappings with literal params.
const any = (m: Mapping<any, any>) => m as Mapping;

function runAt(m: Mapping, params: Params, nonce: number): Json {
  return m.run(deriveStream(KEY, SEED, nonce), params);
}

function results(m: Mapping, params: Params, count: number): Json[] {
  return Array.from({ length: count }, (_, nonce) => runAt(m, params, nonce));
}

interface Cases {
  mapping: Mapping;
  good: Params[];
  /** Invalid params and the field the message must start with. */
  bad: [unknown, string][];
}

const weightsOverflow = [MAX, 1];
const CASES: Cases[] = [
  {
    mapping: any(range),
    good: [
      { min: 1, max: 6 },
      { min: -5, max: -5 },
      { min: -MAX, max: 0 },
      { min: 0, max: MAX },
      { min: -(2 ** 52), max: 2 ** 52 - 1 },
    ],
    bad: [
      [{ min: 1 }, 'max'],
      [{ max: 1 }, 'min'],
      [{ min: '1', max: 6 }, 'min'],
      [{ min: 1.5, max: 6 }, 'min'],
      [{ min: Number.NaN, max: 6 }, 'min'],
      [{ min: 2 ** 53, max: 2 ** 53 }, 'min'],
      [{ min: 1, max: Infinity }, 'max'],
      [{ min: 1, max: null }, 'max'],
      [{ min: 5, max: 4 }, 'max'],
      [{ min: -1, max: MAX }, 'max'],
      [{ min: -MAX, max: MAX }, 'max'],
      [{ min: -(2 ** 52), max: 2 ** 52 }, 'max'],
      [{ min: 1, max: 6, step: 1 }, 'step'],
    ],
  },
  {
    mapping: any(dice),
    good: [
      { count: 1, sides: 6 },
      { count: 1000, sides: 2 },
      { count: 3, sides: 2 ** 32 },
    ],
    bad: [
      [{ count: 0, sides: 6 }, 'count'],
      [{ count: 1001, sides: 6 }, 'count'],
      [{ count: 1.5, sides: 6 }, 'count'],
      [{ count: '3', sides: 6 }, 'count'],
      [{ count: [3], sides: 6 }, 'count'],
      [{ count: 3, sides: 1 }, 'sides'],
      [{ count: 3, sides: 2 ** 32 + 1 }, 'sides'],
      [{ count: 3, sides: -6 }, 'sides'],
      [{ count: 3, sides: Number.NaN }, 'sides'],
      [{ count: 3 }, 'sides'],
      [{ count: 3, sides: 6, faces: 6 }, 'faces'],
    ],
  },
  {
    mapping: any(draw),
    good: [
      { n: 1, k: 1 },
      { n: 80, k: 20 },
      { n: 100_000, k: 100_000 },
    ],
    bad: [
      [{ n: 0, k: 1 }, 'n'],
      [{ n: 100_001, k: 1 }, 'n'],
      [{ n: '80', k: 20 }, 'n'],
      [{ n: 80, k: 0 }, 'k'],
      [{ n: 80, k: 81 }, 'k'],
      [{ n: 80, k: 2.5 }, 'k'],
      [{ n: 80 }, 'k'],
      [{ n: 80, k: 20, replace: true }, 'replace'],
    ],
  },
  {
    mapping: any(shuffle),
    good: [{ n: 1 }, { n: 52 }, { n: 10_000 }],
    bad: [
      [{ n: 0 }, 'n'],
      [{ n: 10_001 }, 'n'],
      [{ n: 2.5 }, 'n'],
      [{ n: true }, 'n'],
      [{}, 'n'],
      [{ n: 52, decks: 1 }, 'decks'],
    ],
  },
  {
    mapping: any(weighted),
    good: [
      { weights: [1] },
      { weights: [0, 0, 5] },
      { weights: [MAX] },
      { weights: [2 ** 52, 2 ** 52 - 1] },
      { weights: new Array(10_000).fill(1) },
    ],
    bad: [
      [{ weights: [] }, 'weights'],
      [{ weights: [0, 0] }, 'weights'],
      [{ weights: new Array(10_001).fill(1) }, 'weights'],
      [{ weights: { 0: 1 } }, 'weights'],
      [{ weights: '1,2' }, 'weights'],
      [{ weights: [-1] }, 'weights[0]'],
      [{ weights: [1, 1.5] }, 'weights[1]'],
      [{ weights: [1, '2'] }, 'weights[1]'],
      [{ weights: [1, Number.NaN] }, 'weights[1]'],
      [{ weights: [1, 2 ** 53] }, 'weights[1]'],
      [{ weights: [1, , 2] }, 'weights[1]'],
      [{ weights: weightsOverflow }, 'weights'],
      [{ weights: [2 ** 52, 2 ** 52] }, 'weights'],
      [{}, 'weights'],
      [{ weights: [1], extra: 0 }, 'extra'],
    ],
  },
  {
    mapping: any(reels),
    good: [{ reels: [[1]] }, { reels: [[0, 1], [5, 5, 0]] }, { reels: new Array(20).fill([1, 2, 3]) }],
    bad: [
      [{ reels: [] }, 'reels'],
      [{ reels: new Array(21).fill([1]) }, 'reels'],
      [{ reels: [1, 2] }, 'reels[0]'],
      [{ reels: [[1], []] }, 'reels[1]'],
      [{ reels: [[1], [0, 0]] }, 'reels[1]'],
      [{ reels: [[1], [1, -2]] }, 'reels[1][1]'],
      [{ reels: [[1], [1, 0.5]] }, 'reels[1][1]'],
      [{ reels: [weightsOverflow] }, 'reels[0]'],
      [{ reels: [[1]], weights: [1] }, 'weights'],
    ],
  },
  {
    mapping: any(float),
    good: [{}, Object.create(null) as Params],
    bad: [
      [{ x: 1 }, 'x'],
      [{ min: 0, max: 1 }, 'min, max'],
    ],
  },
];

describe('registry', () => {
  it('lists every mapping once, by id and by name', () => {
    const ids = MAPPINGS.map((m) => m.id);
    expect(ids, 'ids').toEqual(['range@1', 'dice@1', 'draw@1', 'shuffle@1', 'weighted@1', 'reels@1', 'float@1']);
    for (const m of MAPPINGS) {
      expect(m.id, `${m.id}: id is name@version`).toBe(`${m.name}@1`);
      expect(mappingById(m.id), `mappingById(${m.id})`).toBe(m);
      expect(mappingByName(m.name), `mappingByName(${m.name})`).toBe(m);
    }
  });

  it('finds nothing for unknown ids and names', () => {
    for (const key of ['dice@2', 'dice', 'coin', '', '__proto__', 'constructor', 'toString']) {
      expect(mappingById(key), `mappingById(${key})`).toBeUndefined();
    }
    for (const key of ['dice@1', 'coin', '', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(mappingByName(key), `mappingByName(${key})`).toBeUndefined();
    }
  });
});

describe('validation', () => {
  for (const { mapping, good, bad } of CASES) {
    it(`${mapping.id}: accepts valid params`, () => {
      for (const params of good) {
        expect(mapping.validate(params), `${mapping.id} ${JSON.stringify(params).slice(0, 80)}`).toBeNull();
      }
    });

    it(`${mapping.id}: rejects invalid params, naming the field`, () => {
      for (const [params, field] of bad) {
        const message = mapping.validate(params);
        const label = `${mapping.id} ${JSON.stringify(params)?.slice(0, 80)}`;
        expect(message, label).toEqual(expect.any(String));
        expect(message!.startsWith(`${field}: `), `${label} -> ${message} should start with "${field}: "`).toBe(true);
      }
    });

    it(`${mapping.id}: never throws on odd input`, () => {
      for (const [label, params] of oddInputs(good[0]!)) {
        let message: string | null = null;
        expect(() => (message = mapping.validate(params)), `${mapping.id} ${label}: threw`).not.toThrow();
        expect(message, `${mapping.id} ${label}: must be refused`).toEqual(expect.any(String));
      }
    });
  }

  it('names unknown fields, a bounded number of them', () => {
    expect(dice.validate({ count: 1, sides: 6, a: 1, b: 2 }), 'dice@1 two extras').toBe('a, b: unknown fields');
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(float.validate(many), 'float@1 fifty extras').toBe('k0, k1, k2, k3, k4 and 45 more: unknown fields');
  });

  it('gives the documented messages', () => {
    expect(dice.validate({ count: 1, sides: 1 }), 'dice@1 sides').toBe('sides: must be an integer from 2 to 4294967296');
    expect(draw.validate({ n: 80, k: 81 }), 'draw@1 k').toBe('k: must be an integer from 1 to 80');
    expect(weighted.validate({ weights: weightsOverflow }), 'weighted@1 sum').toBe('weights: sum must not exceed 2^53 - 1');
  });
});

function oddInputs(good: Params): [string, unknown][] {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  let deep: unknown = 1;
  for (let i = 0; i < 10_000; i++) deep = [deep];
  const throwing = { ...good };
  Object.defineProperty(throwing, Object.keys(good)[0] ?? 'x', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
  const inputs: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['number', 42],
    ['string', 'dice'],
    ['bigint', 10n],
    ['symbol', Symbol('x')],
    ['function', () => good],
    ['array', []],
    ['array of params', [good]],
    ['Map', new Map(Object.entries(good))],
    ['Date', new Date(0)],
    ['class instance', Object.assign(new (class X {})(), good)],
    ['revoked proxy', revoked.proxy],
    ['proxy throwing on every trap', new Proxy(good, trapsThatThrow())],
    ['throwing getter', throwing],
    ['deeply nested array', { ...good, extra: deep }],
    ['own __proto__ key', Object.assign(JSON.parse('{"__proto__": 1}') as object, good)],
  ];
  const keys = Object.keys(good);
  if (keys.length > 0) inputs.push(['numeric-string values', Object.fromEntries(keys.map((k) => [k, '1']))]);
  return inputs;
}

function trapsThatThrow(): ProxyHandler<object> {
  const fail = () => {
    throw new Error('trap');
  };
  return { get: fail, has: fail, ownKeys: fail, getPrototypeOf: fail, getOwnPropertyDescriptor: fail };
}

describe('determinism and structure', () => {
  it('every mapping gives the same result for the same key, seed and nonce', () => {
    for (const { mapping, good } of CASES) {
      for (const params of good.filter((p) => mapping.cost(p) <= 1000)) {
        const label = `${mapping.id} ${JSON.stringify(params).slice(0, 60)}`;
        expect(runAt(mapping, params, 7), label).toEqual(runAt(mapping, params, 7));
      }
    }
  });

  it('every result is JSON of safe integers only', () => {
    for (const { mapping, good } of CASES) {
      for (const params of good.filter((p) => mapping.cost(p) <= 1000)) {
        for (const result of results(mapping, params, 20)) {
          expect(onlySafeIntegers(result), `${mapping.id} ${JSON.stringify(params).slice(0, 60)}`).toBe(true);
          expect(JSON.parse(JSON.stringify(result)), `${mapping.id}: JSON round trip`).toEqual(result);
        }
      }
    }
  });

  it('costs count the work: result values or walked list lengths', () => {
    expect(range.cost({ min: 1, max: 6 }), 'range@1').toBe(1);
    expect(dice.cost({ count: 7, sides: 6 }), 'dice@1').toBe(7);
    expect(draw.cost({ n: 80, k: 20 }), 'draw@1').toBe(80);
    expect(shuffle.cost({ n: 52 }), 'shuffle@1').toBe(52);
    expect(weighted.cost({ weights: [1, 2, 3] }), 'weighted@1').toBe(3);
    expect(reels.cost({ reels: [[1], [1, 2], [1]] }), 'reels@1').toBe(4);
    expect(float.cost({}), 'float@1').toBe(1);
  });

  it('range@1: within [min, max], including the extremes of the safe range', () => {
    for (const params of [{ min: -3, max: 7 }, { min: -MAX, max: 0 }, { min: 0, max: MAX }]) {
      for (const v of results(any(range), params, 200) as number[]) {
        expect(Number.isSafeInteger(v) && v >= params.min && v <= params.max, `range@1 ${params.min}..${params.max}: ${v}`).toBe(true);
      }
    }
    const stream = deriveStream(KEY, SEED, 0);
    expect(range.run(stream, { min: 9, max: 9 }), 'range@1 min = max').toBe(9);
    expect(stream.used, 'range@1 min = max consumes nothing').toBe(0);
  });

  it('dice@1: count values, each in 1..sides', () => {
    for (const params of [{ count: 5, sides: 6 }, { count: 3, sides: 2 ** 32 }, { count: 1000, sides: 2 }]) {
      for (const roll of results(any(dice), params, 50) as number[][]) {
        expect(roll.length, `dice@1 ${JSON.stringify(params)} length`).toBe(params.count);
        expect(roll.every((v) => v >= 1 && v <= params.sides), `dice@1 ${JSON.stringify(params)} ${roll}`).toBe(true);
      }
    }
  });

  it('draw@1: k distinct values in 1..n; k = n is a permutation', () => {
    for (const params of [{ n: 80, k: 20 }, { n: 5, k: 5 }, { n: 1, k: 1 }, { n: 100_000, k: 3 }]) {
      for (const picked of results(any(draw), params, 50) as number[][]) {
        const label = `draw@1 ${JSON.stringify(params)}: ${picked.slice(0, 20)}`;
        expect(picked.length, label).toBe(params.k);
        expect(new Set(picked).size, `${label} distinct`).toBe(params.k);
        expect(picked.every((v) => Number.isInteger(v) && v >= 1 && v <= params.n), `${label} in 1..n`).toBe(true);
      }
    }
  });

  it('shuffle@1: a permutation of 0..n-1', () => {
    for (const n of [1, 2, 52, 1000]) {
      for (const perm of results(any(shuffle), { n }, 20) as number[][]) {
        expect([...perm].sort((a, b) => a - b), `shuffle@1 n=${n}`).toEqual(Array.from({ length: n }, (_, i) => i));
      }
    }
  });

  it('weighted@1: never picks a zero weight', () => {
    const weights = [0, 3, 0, 0, 1, 0];
    const picks = new Set(results(any(weighted), { weights }, 500));
    expect([...picks].sort(), 'weighted@1 [0,3,0,0,1,0] picks').toEqual([1, 4]);
    expect(weighted.run(deriveStream(KEY, SEED, 0), { weights: [0, 0, 9] }), 'weighted@1 one positive').toBe(2);
  });

  it('reels@1: one stop per reel, each picked exactly as weighted@1 picks in turn', () => {
    const params = { reels: [[1, 2, 0], [0, 0, 4, 1], [7]] };
    for (let nonce = 0; nonce < 200; nonce++) {
      const stops = reels.run(deriveStream(KEY, SEED, nonce), params);
      const shared = deriveStream(KEY, SEED, nonce);
      const oneByOne = params.reels.map((weights) => weighted.run(shared, { weights }));
      expect(stops, `reels@1 nonce ${nonce}`).toEqual(oneByOne);
      expect(stops.every((s, r) => params.reels[r]![s]! > 0), `reels@1 nonce ${nonce}: zero-weight stop`).toBe(true);
    }
  });

  it('float@1: k in [0, 2^52), read from exactly 7 bytes, and floatValue = k / 2^52', () => {
    for (let nonce = 0; nonce < 200; nonce++) {
      const stream = deriveStream(KEY, SEED, nonce);
      const k = float.run(stream, {});
      expect(Number.isSafeInteger(k) && k >= 0 && k < 2 ** 52, `float@1 nonce ${nonce}: ${k}`).toBe(true);
      expect(stream.used, `float@1 nonce ${nonce}: bytes`).toBe(7);
      expect(floatValue(k) * 2 ** 52, `float@1 nonce ${nonce}: exact`).toBe(k);
    }
    expect(floatValue(0), 'floatValue(0)').toBe(0);
    expect(floatValue(2 ** 52 - 1), 'floatValue(max)').toBe(1 - 2 ** -52);
    for (const k of [-1, 2 ** 52, 0.5, Number.NaN]) expect(() => floatValue(k), `floatValue(${k})`).toThrow(RangeError);
  });
});

function onlySafeIntegers(value: Json): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.every(onlySafeIntegers);
  return false; // mappings return numbers or arrays of numbers only
}

describe('exact unbiasedness (exhaustive over byte inputs)', () => {
  /**
   * Asserts counts are exactly proportional to `weights` (by JSON key), with
   * no other outcome: integer cross-multiplication, so no tolerance at all.
   */
  function expectProportional(label: string, counts: Map<string, number>, weights: Map<string, number>): void {
    expect([...counts.keys()].sort(), `${label}: outcomes`).toEqual([...weights.keys()].filter((k) => weights.get(k)! > 0).sort());
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const weightSum = [...weights.values()].reduce((a, b) => a + b, 0);
    for (const [key, w] of weights) {
      expect((counts.get(key) ?? 0) * weightSum, `${label}: outcome ${key}`).toBe(w * total);
    }
  }

  const equal = (keys: Json[]) => new Map(keys.map((k) => [JSON.stringify(k), 1]));
  const ints = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('uniform(n): accepted inputs hit every value exactly equally often', () => {
    for (const n of [2, 3, 5, 6, 7, 200, 255, 256, 257, 1000, 65535, 65536]) {
      const bits = (n - 1).toString(2).length;
      const bytes = Math.ceil(bits / 8);
      const counts = enumerateOutcomes(bytes, (s) => uniform(s, n));
      expectProportional(`uniform(${n})`, counts, equal(ints(0, n - 1)));
      // Each value is hit by exactly the inputs whose unmasked bits are free.
      expect(counts.get('0'), `uniform(${n}): hits per value`).toBe(2 ** (8 * bytes - bits));
    }
  });

  const run = (m: Mapping<any, any>, params: Params) => (s: ByteStream) => m.run(s, params);

  it('range@1: every value of small spans equally often', () => {
    expectProportional('range@1 -1..3', enumerateOutcomes(1, run(range, { min: -1, max: 3 })), equal(ints(-1, 3)));
    expectProportional('range@1 10..266', enumerateOutcomes(2, run(range, { min: 10, max: 266 })), equal(ints(10, 266)));
  });

  it('dice@1: all 36 ordered pairs of 2d6 equally often', () => {
    const pairs = ints(1, 6).flatMap((a) => ints(1, 6).map((b) => [a, b]));
    expectProportional('dice@1 2d6', enumerateOutcomes(2, run(dice, { count: 2, sides: 6 })), equal(pairs));
  });

  it('draw@1: all ordered draws equally often', () => {
    const pairs = ints(1, 4).flatMap((a) => ints(1, 4).filter((b) => b !== a).map((b) => [a, b]));
    expectProportional('draw@1 2 of 4', enumerateOutcomes(2, run(draw, { n: 4, k: 2 })), equal(pairs));
    expectProportional('draw@1 3 of 3', enumerateOutcomes(2, run(draw, { n: 3, k: 3 })), equal(permutations([1, 2, 3])));
  });

  it('shuffle@1: all permutations equally often', () => {
    expectProportional('shuffle@1 n=3', enumerateOutcomes(2, run(shuffle, { n: 3 })), equal(permutations([0, 1, 2])));
  });

  it('weighted@1: each index exactly in proportion to its weight', () => {
    for (const weights of [[1, 2, 3, 4], [0, 3, 0, 5], [7], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 200]]) {
      const sum = weights.reduce((a, b) => a + b, 0);
      const bytes = Math.ceil((sum - 1).toString(2).length / 8) * (sum > 1 ? 1 : 0);
      const expected = new Map(weights.map((w, i) => [String(i), w]));
      expectProportional(`weighted@1 ${JSON.stringify(weights)}`, enumerateOutcomes(bytes, run(weighted, { weights })), expected);
    }
  });

  it('reels@1: each stop pair in proportion to the product of its weights', () => {
    const params = { reels: [[1, 2], [3, 0, 1]] };
    const expected = new Map<string, number>();
    for (const [i, a] of params.reels[0]!.entries()) {
      for (const [j, b] of params.reels[1]!.entries()) expected.set(JSON.stringify([i, j]), a * b);
    }
    expectProportional('reels@1 [[1,2],[3,0,1]]', enumerateOutcomes(2, run(reels, params)), expected);
  });

  it('float@1: never rejects, and the top byte contributes exactly 4 bits', () => {
    // 2^52 is a power of two, so uniform(2^52) masks 7 bytes to 52 bits and
    // accepts every input: k is those bits, so every k is equally likely.
    const rest = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc];
    const counts = new Map<number, number>();
    for (let top = 0; top < 256; top++) {
      const k = float.run(scriptedStream([top, ...rest]), {});
      expect(k, `float@1 top byte ${top}`).toBe((top & 15) * 2 ** 48 + 0x123456789abc);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect([...counts.values()], 'float@1: 16 values, 16 inputs each').toEqual(new Array(16).fill(16));
  });
});

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((p) => [x, ...p]));
}
