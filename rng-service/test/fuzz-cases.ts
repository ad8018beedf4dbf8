/**
 * Generator of malformed requests for fuzz.test.ts: a seeded PRNG, valid
 * request builders, and per-field mutations that each make a request
 * invalid in one known way (so the test can check that the answer names the
 * field), plus fully random junk. Every generated case must be refused
 * with a 4xx: a generator that could produce a valid request is a bug here.
 */

export const BODY_LIMIT = 1 << 20;
/** Longest path parameter the router matches (routes/problem-handler.ts). */
const MAX_PARAM_LENGTH = 384;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------- PRNG

/** mulberry32: small, fast, deterministic; plenty for test generation. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer from lo to hi inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  string(length: number, alphabet: string): string {
    const chars = [...alphabet];
    let s = '';
    for (let i = 0; i < length; i++) s += this.pick(chars);
    return s;
  }
  hex(length: number): string {
    return this.string(length, '0123456789abcdef');
  }
}

// ---------------------------------------------------------------- JSON text

/** A literal spliced verbatim into the JSON text (-0, 1e400, NaN, deep nesting). */
export class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a value that may hold Raw literals; -0 stays -0. */
export function toJson(v: unknown): string {
  if (v instanceof Raw) return v.text;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${toJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The value the server will see for v (undefined when v is not JSON). */
function parsed(v: unknown): unknown {
  if (!(v instanceof Raw)) return v;
  try {
    return JSON.parse(v.text);
  } catch {
    return undefined;
  }
}

const isIntIn = (v: unknown, lo: number, hi: number): boolean => {
  const x = parsed(v);
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= lo && x <= hi;
};

// ---------------------------------------------------------------- cases

/** A token mangled by the runner, which knows the real one. */
export type Mangle = 'flip-game' | 'flip-admin' | 'wrong-scheme' | 'no-scheme' | 'upper-prefix' | 'extra-char' | 'drop-char';
export type Auth = 'game' | 'admin' | 'revoked' | 'none' | { header: string } | { mangle: Mangle };

export interface FuzzCase {
  id: number;
  category: string;
  /** What was broken, for failure messages. */
  note: string;
  method: string;
  /** Path and query, already encoded. */
  url: string;
  /** Body bytes; absent: no body. */
  body?: string | Buffer;
  /** Content-Type; undefined: application/json when there is a body; '': none. */
  contentType?: string;
  /** Extra headers (HTTP only: oversized header blocks). */
  headers?: Record<string, string>;
  auth: Auth;
  /** The statuses that are right for this case; absent: any 4xx. */
  status?: readonly number[];
  /** A substring the problem's detail must contain (the field at fault). */
  field?: string;
  transport: 'inject' | 'http' | 'both';
  /** Over HTTP, stream the body chunked (no Content-Length). */
  chunked?: boolean;
  /** A whole request written to a socket as is (latin1); GAME_TOKEN stands for the game-server token. */
  raw?: string;
}

export interface FuzzContext {
  /** An open epoch (never rotated or revealed by the fuzz). */
  openEpoch: string;
  revealedEpoch: string;
  /** A requestId already used by a valid outcome request. */
  usedRequestId: string;
  /** The requestId of the open epoch's commit. */
  usedEpochRequestId: string;
  /** The id of the revoked token. */
  revokedTokenId: string;
  headSeq: number;
}

// ---------------------------------------------------------------- pools

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-';
const SEED_OK = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEF';
const MAPPINGS = ['range', 'dice', 'draw', 'shuffle', 'weighted', 'reels', 'float'] as const;
type MappingName = (typeof MAPPINGS)[number];
const PARAM_KEYS: Record<MappingName, readonly string[]> = {
  range: ['min', 'max'], dice: ['count', 'sides'], draw: ['n', 'k'], shuffle: ['n'], weighted: ['weights'], reels: ['reels'], float: [],
};

/** Unicode and other oddities used as strings, keys and path segments. */
export const ODD_STRINGS = [
  '', ' ', '\u0000', '\u0007', '\u200b', '\ufeff', '\u202eevil', 'e\u0301', '\ud800', '\udfff', 'a\ud83d', '💥', '𝕏𝕐', 'Ω≈ç√', 'ﬁ', '\u2028', '\r\n',
  '%00', '%ZZ', '<script>alert(1)</script>', "'; DROP TABLE records;--", 'null', 'true', '0', '-1', '{}', '[]', '\\', '"', 'x'.repeat(300),
] as const;

const UNKNOWN_KEYS = [
  'foo', 'requestID', 'request_id', 'RequestId', 'Draws', 'draw', 'mappings', 'seed', 'serverSeed', 'nonce', 'expires', 'chain', 'seq', 'id',
  'x'.repeat(200), 'é', '\u200b', '💥', ' ', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '0', '$ref', 'prototype', 'scopes', 'label',
  'expiresIn', 'epoch', 'clientSeed', 'mapping', 'params', 'draws', 'requestId',
] as const;

const TYPE_JUNK: readonly unknown[] = [
  null, true, false, '', '6', ' 6', '６', '0x10', '1e3', 'NaN', 'Infinity', '\ud800', [], [6], [[[]]], {}, { value: 6 }, new Raw('[[[[[[[[[[]]]]]]]]]]'),
];

/** Numbers, as the server will parse them, that are invalid for an integer field from lo to hi. */
function intJunk(r: Rng, lo: number, hi: number): unknown {
  const pool: unknown[] = [
    lo - 1, hi + 1, lo - r.int(2, 1e6), hi + r.int(2, 1e9), lo + 0.5, 0, -1, new Raw('-0'), new Raw('-0.0'), 1.5, -1.5, 0.1,
    2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, new Raw('9007199254740993'), new Raw('-9007199254740993'), new Raw('1e308'), new Raw('-1e308'),
    new Raw('1e400'), new Raw('-1e400'), new Raw('5e-324'), new Raw('1E2'), new Raw('1.0000000000000002'), Number.MAX_VALUE, 4294967297,
    ...TYPE_JUNK,
  ];
  return r.pick(pool.filter((v) => !isIntIn(v, lo, hi)));
}

/** A value that is not a safe integer (range bounds). */
function unsafeJunk(r: Rng): unknown {
  return intJunk(r, -MAX_SAFE, MAX_SAFE);
}

const newId = (r: Rng, caseId: number) => `fz-${caseId}-${r.string(r.int(1, 20), ID_CHARS)}`;
const validSeed = (r: Rng) => `seed-${r.string(r.int(8, 40), SEED_OK)}`;

/** Client seeds that must be refused (trivial, short, long, control characters, not strings). */
const BAD_SEEDS: readonly unknown[] = [
  'aaaaaaaa', 'abababab', '00000000', '12121212', 'abcabcab', 'abcdefg', '', 'x', 'ab', '💥💥💥💥💥💥💥💥', 'abc\u0001defgh', 'abcdefgh\u007f',
  'abcd\nefgh', '\ud800abcdefgh', 'abcdefgh\udfff', 'x'.repeat(257), 'ab'.repeat(200), '💥'.repeat(200), 5, 12345678, null, true, [], ['abcdefgh'], {},
];

// ---------------------------------------------------------------- valid requests

type Params = Record<string, unknown>;
interface Draw {
  mapping: string;
  params: Params;
}

function validWeights(r: Rng): number[] {
  const w = Array.from({ length: r.int(1, 8) }, () => r.int(0, 100));
  w[r.below(w.length)] = r.int(1, 100);
  return w;
}

function validParams(r: Rng, m: MappingName): Params {
  switch (m) {
    case 'range': {
      if (r.chance(0.1)) return { min: -MAX_SAFE, max: 0 };
      const min = r.int(-1e9, 1e9);
      return { min, max: min + r.int(0, 1e6) };
    }
    case 'dice':
      return { count: r.int(1, 10), sides: r.chance(0.1) ? 2 ** 32 : r.int(2, 100) };
    case 'draw': {
      const n = r.int(1, 80);
      return { n, k: r.int(1, Math.min(n, 20)) };
    }
    case 'shuffle':
      return { n: r.int(1, 52) };
    case 'weighted':
      return { weights: validWeights(r) };
    case 'reels':
      return { reels: Array.from({ length: r.int(1, 5) }, () => validWeights(r)) };
    case 'float':
      return {};
  }
}

function validDraw(r: Rng, m: MappingName = r.pick(MAPPINGS)): Draw {
  return { mapping: r.chance(0.3) ? `${m}@1` : m, params: validParams(r, m) };
}

// ---------------------------------------------------------------- mutations

interface Broken {
  value: unknown;
  /** Substring of the detail, relative to the draw (`params.count:`). */
  field: string;
  note: string;
}

/** Params of mapping m broken in one way; the field is relative to the draw. */
function brokenParams(r: Rng, m: MappingName): Broken {
  const p = validParams(r, m);
  const keys = PARAM_KEYS[m];
  const roll = r.below(10);
  if (roll === 0 && keys.length > 0) {
    const key = r.pick(keys);
    delete p[key];
    return { value: p, field: `params.${key}:`, note: `${m}: missing ${key}` };
  }
  if (roll === 1 || m === 'float') {
    const key = r.pick(UNKNOWN_KEYS.filter((k) => !keys.includes(k)));
    p[key] = r.chance(0.5) ? 1 : r.pick(TYPE_JUNK);
    return { value: p, field: `params.${key}:`, note: `${m}: unknown param ${JSON.stringify(key)}` };
  }
  if (roll === 2) {
    const other = r.pick(MAPPINGS.filter((o) => o !== m && o !== 'float' && !PARAM_KEYS[o].every((k) => keys.includes(k))));
    return { value: validParams(r, other), field: 'params.', note: `${m} with ${other} params` };
  }
  switch (m) {
    case 'dice':
      return r.chance(0.5)
        ? { value: { ...p, count: intJunk(r, 1, 1000) }, field: 'params.count:', note: 'dice: bad count' }
        : { value: { ...p, sides: intJunk(r, 2, 2 ** 32) }, field: 'params.sides:', note: 'dice: bad sides' };
    case 'shuffle':
      return { value: { n: intJunk(r, 1, 10_000) }, field: 'params.n:', note: 'shuffle: bad n' };
    case 'draw': {
      if (r.chance(0.4)) return { value: { ...p, n: intJunk(r, 1, 100_000) }, field: 'params.n:', note: 'draw: bad n' };
      const n = p.n as number;
      const k = r.chance(0.5) ? n + r.int(1, 1000) : intJunk(r, 1, n);
      return { value: { n, k }, field: 'params.k:', note: `draw: bad k for n=${n}` };
    }
    case 'range': {
      const kind = r.below(5);
      if (kind === 0) return { value: { ...p, min: unsafeJunk(r) }, field: 'params.min:', note: 'range: bad min' };
      if (kind === 1) return { value: { ...p, max: unsafeJunk(r) }, field: 'params.max:', note: 'range: bad max' };
      if (kind === 2) {
        const min = r.int(-1e12, 1e12);
        return { value: { min, max: min - r.int(1, 1e12) }, field: 'params.max:', note: 'range: min > max' };
      }
      if (kind === 3) return { value: { min: MAX_SAFE, max: -MAX_SAFE }, field: 'params.max:', note: 'range: min > max (extremes)' };
      const spans = [{ min: -1, max: MAX_SAFE }, { min: -MAX_SAFE, max: 1 }, { min: -(2 ** 52), max: 2 ** 52 }, { min: -MAX_SAFE, max: MAX_SAFE }];
      return { value: r.pick(spans), field: 'params.max:', note: 'range: span past 2^53' };
    }
    case 'weighted': {
      const b = brokenWeights(r, 'weights');
      return { value: { weights: b.value }, field: `params.${b.field}`, note: `weighted: ${b.note}` };
    }
    case 'reels': {
      const reels = (p.reels as number[][]).slice();
      const kind = r.below(4);
      if (kind === 0) {
        const value = r.pick<unknown>([[], 'reels', null, 5, {}, Array.from({ length: 21 }, () => [1])]);
        return { value: { reels: value }, field: 'params.reels:', note: 'reels: bad reel list' };
      }
      const j = r.below(reels.length);
      const b = brokenWeights(r, `reels[${j}]`);
      reels[j] = b.value as number[];
      return { value: { reels }, field: `params.${b.field}`, note: `reels: ${b.note}` };
    }
  }
}

/** A weight list broken in one way; field relative to params (`weights[3]:`). */
function brokenWeights(r: Rng, name: string): { value: unknown; field: string; note: string } {
  const w: unknown[] = validWeights(r);
  switch (r.below(7)) {
    case 0: {
      const i = r.below(w.length);
      w[i] = r.pick<unknown>([-1, -MAX_SAFE, 1.5, 0.5, 2 ** 53, 2 ** 53 + 2, new Raw('1e308'), new Raw('1e400'), new Raw('-1e-300'), '1', null, true, [], {}, [1]]);
      return { value: w, field: `${name}[${i}]:`, note: `entry ${i} is not a non-negative safe integer` };
    }
    case 1:
      return { value: r.pick([[2 ** 52, 2 ** 52], [MAX_SAFE, 1], [1, MAX_SAFE], [2 ** 52, 2 ** 51, 2 ** 51], [0, MAX_SAFE - 5, 3, 3]]), field: `${name}:`, note: 'sum past 2^53 - 1' };
    case 2:
      return { value: Array.from({ length: r.int(1, 20) }, () => 0), field: `${name}:`, note: 'all zero' };
    case 3:
      return { value: [], field: `${name}:`, note: 'empty' };
    case 4:
      return { value: Array.from({ length: 10_001 }, () => 1), field: `${name}:`, note: '10001 entries' };
    case 5:
      return { value: r.pick<unknown>(['1,2,3', { 0: 1 }, 5, null, true, new Raw('[[1]]')]), field: `${name}`, note: 'not a flat array' };
    default: {
      const i = r.below(w.length);
      w[i] = -r.int(1, 1000);
      return { value: w, field: `${name}[${i}]:`, note: `negative entry ${i}` };
    }
  }
}

const BAD_MAPPINGS: readonly unknown[] = [
  'Dice', 'DICE', 'dice@2', 'dice@0', 'dice@', '@1', 'dice@1 ', ' dice', 'dice\u0000', 'dіce', 'coin', 'roulette', '__proto__', 'constructor',
  'toString', 'hasOwnProperty', '', 'x'.repeat(65), 'x'.repeat(5000), 'range@1@1', 'float@01', 'float@1.0', '💥', '\ud800', 'reels@', 5, null, true, [], ['dice'], {},
];

// ---------------------------------------------------------------- builders

export function generateCases(seed: number, ctx: FuzzContext): FuzzCase[] {
  const r = new Rng(seed);
  const cases: FuzzCase[] = [];
  const add = (c: Omit<FuzzCase, 'id' | 'transport'> & { transport?: FuzzCase['transport'] }) => {
    const id = cases.length;
    // A sample of inject cases also goes over real HTTP, when its URL and headers can.
    const transport = c.transport ?? (r.chance(0.06) && httpSafe(c.url) ? 'both' : 'inject');
    cases.push({ ...c, id, transport });
  };

  outcomesBodies(r, ctx, add, cases, 720);
  outcomeBodies(r, ctx, add, cases, 360);
  epochCases(r, ctx, add, cases, 220);
  authCases(r, ctx, add, 230);
  pathCases(r, ctx, add, 190);
  queryCases(r, add, 150);
  unknownRoutes(r, add, 100);
  badJson(r, ctx, add, 170);
  contentTypes(r, ctx, add, 90);
  oversized(r, add);
  deepNesting(r, add, 50);
  tokenBodies(r, add, 80);
  reuse(r, ctx, add, 20);
  randomCases(r, add, 320);
  rawHttp(r, add);
  return cases;
}

type Add = (c: Omit<FuzzCase, 'id' | 'transport'> & { transport?: FuzzCase['transport'] }) => void;

function httpSafe(url: string): boolean {
  return /^[\x21-\x7e]*$/.test(url) && !/\/\.\.?(\/|$|\?)/.test(url) && !url.includes('#');
}

/** POST /v1/outcomes: a valid body with one thing broken. */
function outcomesBodies(r: Rng, ctx: FuzzContext, add: Add, cases: FuzzCase[], n: number): void {
  const end = cases.length + n;
  while (cases.length < end) {
    const id = cases.length;
    const draws: unknown[] = Array.from({ length: r.int(1, 5) }, () => validDraw(r));
    const body: Record<string, unknown> = { requestId: newId(r, id), draws };
    if (r.chance(0.4)) {
      body.epoch = ctx.openEpoch;
      body.clientSeed = validSeed(r);
    } else if (r.chance(0.2)) {
      body.clientSeed = validSeed(r);
    }
    const i = r.below(draws.length);
    const at = `draws[${i}].`;
    let field: string | undefined;
    let note: string;
    let status: number[] = [400];
    const kind = r.below(20);
    if (kind < 7) {
      const m = r.pick(MAPPINGS);
      const b = brokenParams(r, m);
      draws[i] = { mapping: r.chance(0.3) ? `${m}@1` : m, params: b.value };
      field = at + b.field;
      note = b.note;
    } else if (kind === 7) {
      (draws[i] as Draw).mapping = r.pick(BAD_MAPPINGS) as string;
      field = `${at}mapping:`;
      note = `bad mapping ${toJson((draws[i] as Draw).mapping).slice(0, 40)}`;
    } else if (kind === 8) {
      (draws[i] as Draw).params = r.pick<unknown>([null, 'dice', 6, true, [], [1, 6], new Raw('[{}]')]) as Params;
      field = `${at}params:`;
      note = 'params not an object';
    } else if (kind === 9) {
      const key = r.pick(['mapping', 'params'] as const);
      delete (draws[i] as Partial<Draw>)[key];
      field = `${at}${key}:`;
      note = `draw without ${key}`;
    } else if (kind === 10) {
      const key = r.pick(UNKNOWN_KEYS.filter((k) => k !== 'mapping' && k !== 'params'));
      (draws[i] as Record<string, unknown>)[key] = r.pick(TYPE_JUNK);
      field = `${at}${key}:`;
      note = `unknown draw field ${JSON.stringify(key)}`;
    } else if (kind === 11) {
      draws[i] = r.pick<unknown>([null, 'dice', 5, [], [{ mapping: 'dice' }], true]);
      field = `draws[${i}]:`;
      note = 'draw not an object';
    } else if (kind === 12) {
      const v = r.pick<unknown>(['', 'a'.repeat(129), 'a'.repeat(r.int(130, 20_000)), 'has space', 'slash/x', 'ünïcödé', '\u0000', 'emoji💥', 'a\nb', 'a\ud800', 5, null, [], {}, true, new Raw('1e308')]);
      body.requestId = v;
      field = 'requestId:';
      note = `bad requestId ${toJson(v).slice(0, 30)}`;
    } else if (kind === 13) {
      const key = r.pick(['requestId', 'draws'] as const);
      delete body[key];
      field = `body.${key}:`;
      note = `missing ${key}`;
    } else if (kind === 14) {
      const key = r.pick(UNKNOWN_KEYS.filter((k) => !['requestId', 'draws', 'epoch', 'clientSeed'].includes(k)));
      body[key] = r.pick(TYPE_JUNK);
      field = `body.${key}:`;
      note = `unknown field ${JSON.stringify(key)}`;
    } else if (kind === 15) {
      const v = r.pick<unknown>([[], null, 'dice', 5, {}, { 0: validDraw(r) }, Array.from({ length: 1001 }, () => ({ mapping: 'float', params: {} }))]);
      body.draws = v;
      field = 'draws:';
      note = `bad draws ${Array.isArray(v) ? `array of ${v.length}` : toJson(v)}`;
    } else if (kind === 16) {
      const costly = r.pick([
        () => Array.from({ length: 101 }, () => ({ mapping: 'dice', params: { count: 1000, sides: 6 } })),
        () => Array.from({ length: 11 }, () => ({ mapping: 'shuffle', params: { n: 10_000 } })),
        () => [{ mapping: 'draw', params: { n: 100_000, k: 100_000 } }, { mapping: 'float', params: {} }],
        () => Array.from({ length: 1000 }, () => ({ mapping: 'shuffle', params: { n: 101 } })),
      ])();
      body.draws = costly;
      field = 'draws:';
      note = 'over the cost limit';
    } else if (kind === 17) {
      const v = r.pick<unknown>(['', 'xyz', ctx.openEpoch.toUpperCase(), `${ctx.openEpoch}0`, ctx.openEpoch.slice(1), ` ${ctx.openEpoch}`, `${ctx.openEpoch}\n`, 'g'.repeat(32), 5, null, [], {}]);
      body.epoch = v;
      body.clientSeed ??= validSeed(r);
      field = 'epoch:';
      note = `bad epoch ${toJson(v).slice(0, 40)}`;
    } else if (kind === 18) {
      const which = r.below(3);
      body.clientSeed = validSeed(r);
      if (which === 0) {
        body.epoch = r.hex(32);
        status = [404];
        field = 'epoch';
        note = 'unknown epoch';
      } else if (which === 1) {
        body.epoch = ctx.revealedEpoch;
        status = [409];
        field = 'epoch';
        note = 'revealed epoch';
      } else {
        body.epoch = ctx.openEpoch;
        delete body.clientSeed;
        field = 'clientSeed:';
        note = 'epoch without clientSeed';
      }
    } else {
      const v = r.pick(BAD_SEEDS);
      body.clientSeed = v;
      if (r.chance(0.6)) body.epoch = ctx.openEpoch;
      field = 'clientSeed:';
      note = `bad clientSeed ${toJson(v).slice(0, 30)}`;
    }
    add({ category: 'outcomes-body', note, method: 'POST', url: '/v1/outcomes', body: toJson(body), auth: 'game', status, ...(field ? { field } : {}) });
  }
}

/** POST /v1/outcome: the single-draw form, one thing broken. */
function outcomeBodies(r: Rng, ctx: FuzzContext, add: Add, cases: FuzzCase[], n: number): void {
  const end = cases.length + n;
  while (cases.length < end) {
    const id = cases.length;
    const d = validDraw(r);
    const body: Record<string, unknown> = { requestId: newId(r, id), mapping: d.mapping, params: d.params };
    if (r.chance(0.3)) {
      body.epoch = ctx.openEpoch;
      body.clientSeed = validSeed(r);
    }
    let field: string;
    let note: string;
    let status = [400];
    const kind = r.below(10);
    if (kind < 4) {
      const m = r.pick(MAPPINGS);
      const b = brokenParams(r, m);
      body.mapping = m;
      body.params = b.value;
      field = b.field;
      note = b.note;
    } else if (kind === 4) {
      body.mapping = r.pick(BAD_MAPPINGS);
      field = 'mapping:';
      note = 'bad mapping';
    } else if (kind === 5) {
      body.params = r.pick<unknown>([null, 'dice', 6, true, [], [1, 6]]);
      field = 'params:';
      note = 'params not an object';
    } else if (kind === 6) {
      const key = r.pick(['requestId', 'mapping', 'params'] as const);
      delete body[key];
      field = `body.${key}:`;
      note = `missing ${key}`;
    } else if (kind === 7) {
      const key = r.pick(UNKNOWN_KEYS.filter((k) => !['requestId', 'mapping', 'params', 'epoch', 'clientSeed'].includes(k)));
      body[key] = r.pick<unknown>([...TYPE_JUNK, [validDraw(r)]]);
      field = `body.${key}:`;
      note = `unknown field ${JSON.stringify(key)}`;
    } else if (kind === 8) {
      body.requestId = r.pick<unknown>(['', 'a'.repeat(129), 'with space', '💥', 7, null, [], {}]);
      field = 'requestId:';
      note = 'bad requestId';
    } else {
      body.clientSeed = r.pick(BAD_SEEDS);
      if (r.chance(0.5)) body.epoch = ctx.openEpoch;
      field = 'clientSeed:';
      note = 'bad clientSeed';
      if (r.chance(0.2)) {
        body.clientSeed = validSeed(r);
        body.epoch = r.chance(0.5) ? r.hex(32) : ctx.revealedEpoch;
        status = body.epoch === ctx.revealedEpoch ? [409] : [404];
        field = 'epoch';
        note = status[0] === 409 ? 'revealed epoch' : 'unknown epoch';
      }
    }
    add({ category: 'outcome-body', note, method: 'POST', url: '/v1/outcome', body: toJson(body), auth: 'game', status, field });
  }
}

const BAD_EPOCH_IDS = [
  'xyz', '0', 'g'.repeat(32), 'A'.repeat(32), 'a'.repeat(31), 'a'.repeat(33), '%ZZ', '%E0%A4%A', '%00', '%20', 'a'.repeat(200), 'a'.repeat(MAX_PARAM_LENGTH + 1),
  encodeURIComponent('💥'), `${'a'.repeat(32)}%20`, '-1', 'null', 'undefined',
];

function badIdStatus(id: string): number[] {
  if (id.length > MAX_PARAM_LENGTH) return [414];
  return [400];
}

/** What the detail of a refused path parameter names: the router's complaint, or the parameter. */
function badIdField(id: string, name: string): string {
  if (id.length > MAX_PARAM_LENGTH) return 'path:';
  try {
    decodeURIComponent(id);
  } catch {
    return 'path:';
  }
  return `params.${name}:`;
}

/** Epoch routes: bad bodies, bad ids, unknown and revealed epochs. */
function epochCases(r: Rng, ctx: FuzzContext, add: Add, cases: FuzzCase[], n: number): void {
  const end = cases.length + n;
  while (cases.length < end) {
    const id = cases.length;
    const body: Record<string, unknown> = { requestId: newId(r, id) };
    if (r.chance(0.5)) body.expiresIn = r.int(1, 31_536_000);
    const kind = r.below(10);
    const rotate = r.chance(0.4);
    const url = rotate ? `/v1/epochs/${ctx.openEpoch}/rotate` : '/v1/epochs';
    const category = 'epochs';
    if (kind < 3) {
      body.expiresIn = intJunk(r, 1, 31_536_000);
      add({ category, note: `bad expiresIn ${toJson(body.expiresIn)}`, method: 'POST', url, body: toJson(body), auth: 'game', status: [400], field: 'expiresIn:' });
    } else if (kind === 3) {
      body.requestId = r.pick<unknown>(['', 'a'.repeat(129), 'sp ace', 'ü', 1, null, [], {}]);
      add({ category, note: 'bad requestId', method: 'POST', url, body: toJson(body), auth: 'game', status: [400], field: 'requestId:' });
    } else if (kind === 4) {
      const key = r.pick(UNKNOWN_KEYS.filter((k) => k !== 'requestId' && k !== 'expiresIn'));
      body[key] = r.pick(TYPE_JUNK);
      add({ category, note: `unknown field ${JSON.stringify(key)}`, method: 'POST', url, body: toJson(body), auth: 'game', status: [400], field: `body.${key}:` });
    } else if (kind === 5) {
      const v = r.pick<unknown>([null, [], 'epoch', 5, true, [body]]);
      add({ category, note: `body ${toJson(v).slice(0, 20)}`, method: 'POST', url, body: toJson(v), auth: 'game', status: [400], field: 'body' });
    } else if (kind === 6) {
      delete body.requestId;
      add({ category, note: 'missing requestId', method: 'POST', url, body: toJson(body), auth: 'game', status: [400], field: 'body.requestId:' });
    } else if (kind === 7) {
      const bad = r.pick(BAD_EPOCH_IDS);
      const route = r.pick(['rotate', 'reveal', 'get'] as const);
      const path = `/v1/epochs/${bad}${route === 'get' ? '' : `/${route}`}`;
      add({
        category, note: `bad epoch id ${bad.slice(0, 40)} (${route})`, method: route === 'get' ? 'GET' : 'POST', url: path,
        ...(route === 'rotate' ? { body: toJson(body) } : {}), auth: 'game', status: badIdStatus(bad), field: badIdField(bad, 'id'),
      });
    } else if (kind === 8) {
      const unknown = r.hex(32);
      const route = r.pick(['rotate', 'reveal', 'get'] as const);
      const path = `/v1/epochs/${unknown}${route === 'get' ? '' : `/${route}`}`;
      add({ category, note: `unknown epoch (${route})`, method: route === 'get' ? 'GET' : 'POST', url: path, ...(route === 'rotate' ? { body: toJson(body) } : {}), auth: 'game', status: [404], field: unknown });
    } else {
      add({ category, note: 'rotate a revealed epoch', method: 'POST', url: `/v1/epochs/${ctx.revealedEpoch}/rotate`, body: toJson(body), auth: 'game', status: [409], field: ctx.revealedEpoch });
    }
  }
}

/** Missing, malformed, unknown, revoked and wrong-scope tokens on every authenticated route. */
function authCases(r: Rng, ctx: FuzzContext, add: Add, n: number): void {
  const routes: Array<{ method: string; url: string; scope: 'outcomes' | 'admin'; body?: () => unknown }> = [
    { method: 'POST', url: '/v1/outcomes', scope: 'outcomes', body: () => ({ requestId: `fz-auth-${r.hex(8)}`, draws: [validDraw(r)] }) },
    { method: 'POST', url: '/v1/outcome', scope: 'outcomes', body: () => ({ requestId: `fz-auth-${r.hex(8)}`, ...validDraw(r) }) },
    { method: 'POST', url: '/v1/epochs', scope: 'outcomes', body: () => ({ requestId: `fz-auth-${r.hex(8)}` }) },
    { method: 'POST', url: `/v1/epochs/${ctx.openEpoch}/rotate`, scope: 'outcomes', body: () => ({ requestId: `fz-auth-${r.hex(8)}` }) },
    { method: 'POST', url: `/v1/epochs/${ctx.openEpoch}/reveal`, scope: 'outcomes' },
    { method: 'POST', url: '/v1/tokens', scope: 'admin', body: () => ({ scopes: ['outcomes'], label: 'fuzz' }) },
    { method: 'GET', url: '/v1/tokens', scope: 'admin' },
    { method: 'DELETE', url: '/v1/tokens/tok_000000000000', scope: 'admin' },
  ];
  const badHeaders = (): string => r.pick([
    '', 'Bearer', 'Bearer ', 'Bearer  x', 'Basic dXNlcjpwYXNz', 'Token rsk_abc', 'rsk_abc', 'Bearer rsk_', 'Bearer rsk_short',
    `Bearer rsk_${r.string(43, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-')}`,
    `Bearer rsk_${r.string(44, 'abc')}`, `Bearer rsk_${r.string(43, '!@#$%^&*()')}`, `Bearer ${'x'.repeat(r.int(100, 8000))}`,
    'Bearer null', 'Bearer undefined', 'Bearer rsk_a rsk_b', 'Digest username="x"', 'Bearer\trsk_abc', `Bearer ${r.string(20, '%/?=:;,.')}`,
  ]);
  for (let i = 0; i < n; i++) {
    const route = r.pick(routes);
    const kind = r.below(10);
    let auth: Auth;
    let status: number[];
    let note: string;
    if (kind < 4) {
      auth = { header: badHeaders() };
      status = [401];
      note = `bad Authorization ${JSON.stringify((auth as { header: string }).header.slice(0, 30))}`;
    } else if (kind === 4) {
      auth = 'none';
      status = [401];
      note = 'no Authorization';
    } else if (kind === 5) {
      auth = 'revoked';
      status = [401];
      note = 'revoked token';
    } else if (kind < 8) {
      const mangle = r.pick<Mangle>(['flip-game', 'flip-admin', 'wrong-scheme', 'no-scheme', 'upper-prefix', 'extra-char', 'drop-char']);
      auth = { mangle };
      status = [401];
      note = `mangled token (${mangle})`;
    } else {
      auth = route.scope === 'admin' ? 'game' : 'admin';
      status = [403];
      note = `wrong scope (${auth} token on ${route.scope} route)`;
    }
    const body = route.body ? toJson(r.chance(0.7) ? route.body() : r.pick(TYPE_JUNK)) : undefined;
    add({ category: 'auth', note, method: route.method, url: route.url, ...(body !== undefined ? { body } : {}), auth, status, field: status[0] === 403 ? 'scope' : 'Authorization' });
  }
}

const BAD_SEQS = [
  '-1', '1e99', '1e3', '1.5', '01', '00', 'abc', '99999999999999999', '1'.repeat(100), '+1', '%201', '0x10', 'Infinity', 'NaN', '1%00', '%ZZ',
  encodeURIComponent('٣'), encodeURIComponent('１'), '-0', ' 1', '1 ', '%', '9'.repeat(MAX_PARAM_LENGTH + 5),
];

/** Bad path parameters on the public and admin routes. */
function pathCases(r: Rng, ctx: FuzzContext, add: Add, n: number): void {
  for (let i = 0; i < n; i++) {
    const kind = r.below(8);
    if (kind < 3) {
      const seq = r.pick(BAD_SEQS);
      const url = `/v1/records/${seq.replace(/ /g, '%20')}`;
      add({ category: 'path-params', note: `seq ${seq.slice(0, 30)}`, method: 'GET', url, auth: 'none', status: badIdStatus(seq), field: badIdField(seq.replace(/ /g, '%20'), 'seq') });
    } else if (kind === 3) {
      const seq = r.pick([String(ctx.headSeq + 1 + r.int(0, 1000)), '9999999999999999', String(2 ** 53 - 1), String(1e15)]);
      add({ category: 'path-params', note: `seq ${seq} past the head`, method: 'GET', url: `/v1/records/${seq}`, auth: 'none', status: [404] });
    } else if (kind < 6) {
      const rid = r.pick([
        'a'.repeat(129), 'a'.repeat(MAX_PARAM_LENGTH), 'a'.repeat(MAX_PARAM_LENGTH + 1), 'a'.repeat(r.int(MAX_PARAM_LENGTH + 1, 4000)), 'has%20space',
        '%F0%9F%92%A5', '%00', 'x%2Fy', '%ZZ', '%', 'a%E0%A4%A', '~tilde', 'a!b', '(x)', encodeURIComponent('ünï'), 'a*',
      ]);
      add({ category: 'path-params', note: `round ${rid.slice(0, 30)}`, method: 'GET', url: `/v1/rounds/${rid}`, auth: 'none', status: badIdStatus(rid), field: badIdField(rid, 'requestId') });
    } else if (kind === 6) {
      add({ category: 'path-params', note: 'unknown round', method: 'GET', url: `/v1/rounds/fz-none-${r.string(r.int(1, 100), ID_CHARS)}`, auth: 'none', status: [404], field: 'round' });
    } else {
      const tid = r.pick(['tok_', 'tok_0', 'tok_XXXXXXXXXXXX', 'tok_0000000000000', 'TOK_000000000000', 'tok_%00', 'x'.repeat(500), 'tok_00000000000g']);
      const unknown = r.chance(0.3);
      const id = unknown ? r.pick([`tok_${r.hex(12)}`, ctx.revokedTokenId]) : tid;
      add({
        category: 'path-params', note: `DELETE token ${id.slice(0, 30)}`, method: 'DELETE', url: `/v1/tokens/${id}`, auth: 'admin',
        status: unknown ? [404] : badIdStatus(id), field: unknown ? id : badIdField(id, 'id'),
      });
    }
  }
}

/** Bad query strings on the routes that take one. */
function queryCases(r: Rng, add: Add, n: number): void {
  const badSeqs = ['-1', '1e99', 'abc', '', '01', '1.5', '99999999999999999', '0x1', '%ZZ', '%00', '1%20', 'Infinity'];
  const badChains = ['', 'a%20b', 'x'.repeat(129), '%F0%9F%92%A5', 'a%2Fb', '%00', 'chain!', '*'];
  for (let i = 0; i < n; i++) {
    const route = r.pick(['/v1/export', '/v1/export', '/v1/keys', '/v1/head', '/v1/records/0']);
    const kind = r.below(route === '/v1/export' ? 5 : 3);
    let query: string;
    let field: string;
    let status = [400];
    if (kind === 0) {
      const key = r.pick(route === '/v1/export' ? ['from', 'to'] : ['chain']);
      const junk = `zz${r.string(r.int(1, 8), 'abcdefghijklmnop')}`;
      query = `${junk}=${r.pick(['1', '', '%ZZ', 'a'])}${r.chance(0.5) ? `&${key}=0` : ''}`;
      field = `querystring.${junk}:`;
    } else if (kind === 1) {
      const v = r.pick(badChains);
      query = `chain=${v}`;
      field = 'querystring.chain:';
    } else if (kind === 2 && (route === '/v1/head' || route === '/v1/records/0') && r.chance(0.3)) {
      // (an unknown chain on /v1/keys or /v1/export is a valid, empty answer)
      query = `chain=fz-unknown-chain-${r.hex(6)}`;
      field = 'not found';
      status = [404];
    } else if (kind === 2) {
      query = `chain=a&chain=b`;
      field = 'querystring.chain:';
    } else {
      const key = r.pick(['from', 'to']);
      query = r.chance(0.3) ? `${key}=1&${key}=2` : `${key}=${r.pick(badSeqs)}`;
      field = `querystring.${key}:`;
    }
    add({ category: 'query', note: `${route}?${query.slice(0, 40)}`, method: 'GET', url: `${route}?${query}`, auth: r.chance(0.5) ? 'game' : 'none', status, field });
  }
}

/** Paths no route matches and known paths with the wrong method. */
function unknownRoutes(r: Rng, add: Add, n: number): void {
  const wrongMethod: Array<[string, string]> = [
    ['GET', '/v1/outcomes'], ['PUT', '/v1/outcomes'], ['DELETE', '/v1/outcome'], ['PATCH', '/v1/epochs'], ['GET', '/v1/epochs'], ['PUT', '/v1/tokens'],
    ['POST', '/v1/keys'], ['DELETE', '/v1/head'], ['POST', '/healthz'], ['PUT', '/readyz'], ['POST', '/v1/records/0'], ['OPTIONS', '/v1/outcomes'],
    ['GET', '/v1/epochs/00000000000000000000000000000000/reveal'], ['PATCH', '/v1/tokens/tok_000000000000'], ['POST', '/metrics'],
  ];
  const paths = [
    '/', '/v1', '/v1/', '/v2/outcomes', '/v1/outcomes/', '/v1/outcomez', '/V1/OUTCOMES', '/v1/keys/', '/v1/rounds', '/.env', '/admin', '/v1/tokens/x/y',
    '/v1/epochs/00000000000000000000000000000000/explode', '/healthz/x', '/%2e%2e/%2e%2e/etc/passwd', '/v1/export/', '/docs/nope', '/v1/records/0/1',
    '/favicon.ico', '/v1//outcomes', '/v1/head/', '/wp-login.php',
  ];
  for (let i = 0; i < n; i++) {
    if (r.chance(0.35)) {
      const [method, url] = r.pick(wrongMethod);
      add({ category: 'unknown-route', note: `${method} ${url}`, method, url, auth: 'game', status: [404] });
      continue;
    }
    const method = r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
    const url = r.chance(0.5) ? r.pick(paths) : `/zz-${encodePath(r.pick(ODD_STRINGS))}/${r.string(r.int(0, 30), ID_CHARS)}`;
    add({ category: 'unknown-route', note: `${method} ${url.slice(0, 40)}`, method, url, auth: r.pick(['game', 'none', 'admin'] as const), status: [404, 400] });
  }
}

/** encodeURIComponent, except a lone surrogate becomes bytes that are not UTF-8. */
export function encodePath(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.toWellFormed()).replace(/%EF%BF%BD/g, '%ED%A0%80');
  }
}

function validBodyFor(r: Rng, route: string): string {
  if (route === '/v1/outcomes') return toJson({ requestId: `fz-json-${r.hex(10)}`, draws: [validDraw(r), validDraw(r)] });
  if (route === '/v1/outcome') return toJson({ requestId: `fz-json-${r.hex(10)}`, ...validDraw(r) });
  return toJson({ requestId: `fz-json-${r.hex(10)}`, expiresIn: r.int(1, 1000) });
}

/** Bodies that are not JSON, or JSON that the parser refuses (prototype poisoning). */
function badJson(r: Rng, ctx: FuzzContext, add: Add, n: number): void {
  const routes = ['/v1/outcomes', '/v1/outcome', '/v1/epochs', `/v1/epochs/${ctx.openEpoch}/rotate`];
  const literals = ['NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '1.', '.5', '+1', '01', '1e', '-', "'x'", 'True', 'None', '1_000'];
  for (let i = 0; i < n; i++) {
    const url = r.pick(routes);
    const valid = validBodyFor(r, url);
    const kind = r.below(16);
    let body: string | Buffer;
    let note: string;
    let field = 'body';
    switch (kind) {
      case 0: {
        const at = r.int(1, valid.length - 1);
        body = valid.slice(0, at);
        note = `truncated at ${at}`;
        break;
      }
      case 1:
        body = valid + r.pick(['x', '}', ',', ' {}', '\u0000', ']', '"', '[]', 'null', ';', '//', '\ufeff']);
        note = 'trailing garbage';
        break;
      case 2: {
        const lit = r.pick(literals);
        body = url === '/v1/outcomes'
          ? `{"requestId":"fz-lit-${i}","draws":[{"mapping":"dice","params":{"count":${lit},"sides":6}}]}`
          : url === '/v1/outcome' ? `{"requestId":"fz-lit-${i}","mapping":"range","params":{"min":${lit},"max":9}}` : `{"requestId":"fz-lit-${i}","expiresIn":${lit}}`;
        note = `literal ${lit}`;
        break;
      }
      case 3:
        body = valid.replace(/"/g, "'");
        note = 'single quotes';
        break;
      case 4:
        body = r.chance(0.5) ? `/* comment */${valid}` : `// comment\n${valid}`;
        note = 'comment';
        break;
      case 5:
        body = `${valid.slice(0, -1)},}`;
        note = 'trailing comma';
        break;
      case 6:
        body = valid.replace(/"(\w+)":/g, '$1:');
        note = 'unquoted keys';
        break;
      case 7:
        body = valid.replace('"fz-', `"fz${r.pick(['\u0001', '\u0000', '\n', '\t', '\u001f'])}-`);
        note = 'raw control character in a string';
        break;
      case 8:
        body = valid.replace('"fz-', `"fz${r.pick(['\\x41', '\\u12', '\\uZZZZ', '\\q', '\\'])}-`);
        note = 'bad escape';
        break;
      case 9:
        body = r.pick([
          `{"__proto__":{"admin":true},${valid.slice(1)}`, `${valid.slice(0, -1)},"__proto__":{"x":1}}`,
          `{"constructor":{"prototype":{"x":1}},${valid.slice(1)}`, `${valid.slice(0, -1)},"x":{"__proto__":null}}`,
        ]);
        note = 'prototype poisoning';
        break;
      case 10:
        body = `\ufeff${r.pick(['{', '{"a"', valid.slice(0, 10)])}`;
        note = 'BOM and garbage';
        break;
      case 11:
        body = Buffer.from(Array.from({ length: r.int(1, 2000) }, () => r.below(256)));
        if (/^\s*-?\d+\s*$/.test(body.toString('latin1'))) body = Buffer.from('{');
        note = 'binary garbage';
        break;
      case 12:
        body = r.pick(['', ' ', '\n', '\t\r\n ']);
        note = 'empty body';
        break;
      case 13:
        body = r.pick(['[', '{', '{"', '{"requestId"', '{"requestId":', '["', '"', '[1,', '{"a":1']).repeat(r.int(1, 20_000));
        note = 'unbalanced';
        break;
      case 14:
        body = r.pick(['null', 'true', '"string"', '[]', '123', '1e999999', '-0', '[{}]', `[${valid}]`, '""']);
        note = 'JSON that is not an object';
        break;
      default:
        body = `${valid.slice(0, -1)},"requestId":${r.pick(['5', 'null', '""', '"a b"', '[]'])}}`;
        note = 'duplicate key, the last invalid';
        field = 'requestId:';
    }
    // Some over real HTTP too: the parser there is the same, but the framing is not.
    add({ category: 'bad-json', note, method: 'POST', url, body, auth: 'game', status: [400], field, transport: r.chance(0.25) ? 'both' : 'inject' });
  }
}

/** Valid bodies sent with a content-type the API does not take. */
function contentTypes(r: Rng, ctx: FuzzContext, add: Add, n: number): void {
  const routes = ['/v1/outcomes', '/v1/outcome', '/v1/epochs', `/v1/epochs/${ctx.openEpoch}/rotate`];
  const refused = [
    'text/html', 'application/xml', 'text/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/octet-stream',
    'image/png', 'application/jsonx', 'application/json-patch+json', 'json', 'application', '*/*', 'application/*', 'text/json',
    'application/javascript', 'text/csv', 'x/y', 'application/x-json',
  ];
  for (let i = 0; i < n; i++) {
    const url = r.pick(routes);
    const body = validBodyFor(r, url);
    const kind = r.below(8);
    if (kind === 0) {
      add({ category: 'content-type', note: 'text/plain', method: 'POST', url, body, contentType: r.pick(['text/plain', 'text/plain; charset=utf-8']), auth: 'game', status: [400], field: 'body', transport: r.chance(0.5) ? 'both' : 'inject' });
    } else if (kind === 1) {
      add({ category: 'content-type', note: 'no content-type', method: 'POST', url, body: Buffer.from(body), contentType: '', auth: 'game', status: [415], field: 'content-type', transport: r.chance(0.5) ? 'both' : 'inject' });
    } else {
      const ct = r.pick(refused);
      add({ category: 'content-type', note: ct, method: 'POST', url, body, contentType: ct, auth: 'game', status: [415], field: 'content-type', transport: r.chance(0.5) ? 'both' : 'inject' });
    }
  }
}

/** Bodies over the 1 MiB limit: declared and chunked, JSON and junk; mostly over real HTTP. */
function oversized(r: Rng, add: Add): void {
  const routes = ['/v1/outcomes', '/v1/outcome', '/v1/epochs', '/v1/tokens'];
  const big = (size: number): string => {
    switch (r.below(4)) {
      case 0:
        return `{"requestId":"${'a'.repeat(size)}","draws":[]}`;
      case 1:
        return `{"requestId":"fz-big","draws":[{"mapping":"weighted","params":{"weights":[${'1,'.repeat(size / 2)}1]}}]}`;
      case 2:
        return 'x'.repeat(size);
      default:
        return `[${'[],'.repeat(size / 3)}[]]`;
    }
  };
  for (let i = 0; i < 44; i++) {
    const url = r.pick(routes);
    const size = r.chance(0.3) ? BODY_LIMIT + r.int(1, 64) : r.int(BODY_LIMIT + 1, 3 * BODY_LIMIT);
    const transport = i < 32 ? 'http' : 'inject';
    const chunked = transport === 'http' && i % 4 === 0;
    add({
      category: 'oversized', note: `${size} bytes${chunked ? ' chunked' : ''} to ${url}`, method: 'POST', url, body: big(size),
      auth: url === '/v1/tokens' ? 'admin' : 'game', status: [413], field: 'body', transport, chunked,
    });
  }
  // At the limit exactly: not too large, just not JSON.
  add({ category: 'oversized', note: 'exactly 1 MiB of junk', method: 'POST', url: '/v1/outcomes', body: 'x'.repeat(BODY_LIMIT), auth: 'game', status: [400], field: 'body', transport: 'both' });
  // Too large and unauthenticated: refused before the body is read.
  add({ category: 'oversized', note: 'oversized without a token', method: 'POST', url: '/v1/outcomes', body: 'x'.repeat(BODY_LIMIT * 2), auth: 'none', status: [401], transport: 'http' });
  // Too large and the wrong type.
  add({ category: 'oversized', note: 'oversized text/html', method: 'POST', url: '/v1/epochs', body: 'x'.repeat(BODY_LIMIT + 10), contentType: 'text/html', auth: 'game', status: [413, 415], transport: 'http' });
  // Header blocks over Node's 16 KiB limit: answered by the client-error handler.
  for (const [name, value] of [
    ['authorization', `Bearer ${'x'.repeat(20_000)}`], ['x-junk', 'y'.repeat(17_000)], ['cookie', 'c=1; '.repeat(5000)], ['authorization', `Bearer rsk_${'A'.repeat(70_000)}`],
  ] as const) {
    add({ category: 'header-overflow', note: `${name}: ${value.length} bytes`, method: 'POST', url: '/v1/outcomes', body: '{}', headers: { [name]: value }, auth: name === 'authorization' ? 'none' : 'game', status: [431], field: 'headers', transport: 'http' });
  }
}

/** Deeply nested junk in every position. */
function deepNesting(r: Rng, add: Add, n: number): void {
  const deepArray = (d: number) => new Raw('['.repeat(d) + ']'.repeat(d));
  const deepObject = (d: number) => new Raw('{"a":'.repeat(d) + '1' + '}'.repeat(d));
  for (let i = 0; i < n; i++) {
    const d = r.chance(0.5) ? r.int(1000, 20_000) : r.int(20_000, 150_000);
    const junk = r.chance(0.5) ? deepArray(d) : deepObject(Math.min(d, 150_000));
    const kind = r.below(6);
    const requestId = `fz-deep-${i}`;
    let url = '/v1/outcomes';
    let body: unknown;
    let field: string;
    if (kind === 0) {
      body = { requestId, draws: [{ mapping: 'dice', params: { count: junk, sides: 6 } }] };
      field = 'draws[0].params.count:';
    } else if (kind === 1) {
      body = { requestId, draws: [validDraw(r)], zzjunk: junk };
      field = 'body.zzjunk:';
    } else if (kind === 2) {
      body = junk;
      field = 'body';
    } else if (kind === 3) {
      body = { requestId, draws: [{ mapping: 'shuffle', params: { n: 5, zzjunk: junk } }] };
      field = 'draws[0].params.zzjunk:';
    } else if (kind === 4) {
      url = '/v1/outcome';
      body = { requestId, mapping: 'weighted', params: { weights: [1, junk] } };
      field = 'params.weights[1]:';
    } else {
      url = '/v1/epochs';
      body = { requestId, expiresIn: junk };
      field = 'expiresIn:';
    }
    add({ category: 'deep-nesting', note: `depth ${d} (${kind})`, method: 'POST', url, body: toJson(body), auth: 'game', status: [400], field, transport: r.chance(0.1) ? 'both' : 'inject' });
  }
}

/** POST /v1/tokens (admin) with bad bodies. */
function tokenBodies(r: Rng, add: Add, n: number): void {
  for (let i = 0; i < n; i++) {
    const body: Record<string, unknown> = { scopes: r.chance(0.5) ? ['outcomes'] : ['admin'], label: `fz-${i}` };
    let field: string;
    const kind = r.below(5);
    if (kind < 2) {
      body.scopes = r.pick<unknown>([[], ['root'], ['Admin'], 'admin', [1], null, ['admin', 'admin'], ['outcomes', 5], {}, ['outcomes', 'admin', 'outcomes'], [''], ['admin\u0000']]);
      field = 'scopes';
    } else if (kind === 2) {
      body.label = r.pick<unknown>(['', 'x'.repeat(101), '💥'.repeat(101), 5, null, [], {}, true]);
      field = 'label';
    } else if (kind === 3) {
      const key = r.pick(['scopes', 'label'] as const);
      delete body[key];
      field = `body.${key}:`;
    } else {
      const key = r.pick(UNKNOWN_KEYS.filter((k) => k !== 'scopes' && k !== 'label'));
      body[key] = r.pick(TYPE_JUNK);
      field = `body.${key}:`;
    }
    add({ category: 'tokens-body', note: `token body ${toJson(body).slice(0, 60)}`, method: 'POST', url: '/v1/tokens', body: toJson(body), auth: 'admin', status: [400], field });
  }
}

/** A requestId that was already used, with another body: a 409, never a replay. */
function reuse(r: Rng, ctx: FuzzContext, add: Add, n: number): void {
  for (let i = 0; i < n; i++) {
    const [url, body] = r.pick([
      ['/v1/outcomes', { requestId: ctx.usedRequestId, draws: [validDraw(r, 'shuffle')] }],
      ['/v1/outcome', { requestId: ctx.usedRequestId, ...validDraw(r, 'reels') }],
      ['/v1/outcomes', { requestId: ctx.usedEpochRequestId, draws: [validDraw(r)] }],
      ['/v1/epochs', { requestId: ctx.usedRequestId }],
      ['/v1/epochs', { requestId: ctx.usedEpochRequestId, expiresIn: r.int(1, 1000) }],
    ] as const);
    add({ category: 'reuse', note: `${url} reusing ${body.requestId}`, method: 'POST', url, body: toJson(body), auth: 'game', status: [409], field: 'requestId' });
  }
}

/** Requests that are not valid HTTP/1.1, written to a socket: refused by Node's parser or before routing. */
function rawHttp(r: Rng, add: Add): void {
  const body = '{"requestId":"fz-raw-no-host","draws":[{"mapping":"float","params":{}}]}';
  const fixed: Array<[string, string, number, string]> = [
    ['request line garbage', 'GARBAGE\r\n\r\n', 400, 'request:'],
    ['Content-Length not a number', 'GET /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n', 400, 'request:'],
    ['space in a header name', 'GET /v1/keys HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n', 400, 'request:'],
    ['Content-Length and chunked', 'POST /v1/outcomes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n', 400, 'request:'],
    ['NUL in a header value', 'GET /v1/keys HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n', 400, 'request:'],
    ['two Content-Lengths', 'GET /v1/keys HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 400, 'request:'],
    ['folded header', 'GET /v1/keys HTTP/1.1\r\nHost: x\r\n Folded: x\r\n\r\n', 400, 'request:'],
    ['DEL in the path', 'GET /v1/ke\u007fys HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'request:'],
    ['no Host', 'GET /v1/keys HTTP/1.1\r\n\r\n', 400, 'host:'],
    ['no Host, valid outcome request', `POST /v1/outcomes HTTP/1.1\r\nAuthorization: Bearer GAME_TOKEN\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`, 400, 'host:'],
    ['header block over 16 KiB', `GET /v1/keys HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 431, 'headers:'],
    ['bad percent-encoding', 'GET /v1/records/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n', 400, 'path:'],
  ];
  for (const [note, raw, status, field] of fixed) add({ category: 'raw-http', note, method: 'RAW', url: '', raw, auth: 'none', status: [status], field, transport: 'http' });
  for (let i = 0; i < 8; i++) {
    const junk = r.string(r.int(1, 200), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 :/?=&%{}[]"\'\t;,.-_');
    add({ category: 'raw-http', note: `junk request line ${JSON.stringify(junk.slice(0, 30))}`, method: 'RAW', url: '', raw: `${junk}\r\nHost: x\r\n\r\n`, auth: 'none', status: [400], field: 'request:', transport: 'http' });
  }
}

// ---------------------------------------------------------------- fully random

function randomString(r: Rng): string {
  return r.chance(0.4) ? r.pick(ODD_STRINGS) : r.string(r.int(0, 30), `${ID_CHARS} !"#$%&'()*+,/;<=>?@[\\]^_\`{|}~éü💥\u0000\u200b`);
}

function randomJson(r: Rng, depth: number): unknown {
  switch (r.below(depth > 0 ? 9 : 6)) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick<unknown>([0, -1, 1.5, 2 ** 53 + 2, 1e308, -1e308, new Raw('-0'), new Raw('1e400'), new Raw('5e-324'), r.int(-1e6, 1e6)]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return r.int(-10, 10_000);
    case 6:
    case 7: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(0, 5); i > 0; i--) o[r.pick(['a', 'b', 'mapping', 'params', 'count', 'n', 'x', randomString(r)])] = randomJson(r, depth - 1);
      return o;
    }
    default:
      return Array.from({ length: r.int(0, 5) }, () => randomJson(r, depth - 1));
  }
}

/** A path parameter no route pattern accepts ('!' is in none of them). */
function junkParam(r: Rng): string {
  return `${encodePath(randomString(r))}!${r.string(r.int(0, 10), ID_CHARS)}`;
}

/** Fully random requests: random route, body, content-type and token. */
function randomCases(r: Rng, add: Add, n: number): void {
  for (let i = 0; i < n; i++) {
    const route = r.pick([
      ['POST', '/v1/outcomes'], ['POST', '/v1/outcome'], ['POST', '/v1/epochs'], ['POST', `/v1/epochs/${junkParam(r)}/rotate`],
      ['POST', `/v1/epochs/${junkParam(r)}/reveal`], ['POST', '/v1/tokens'], ['GET', `/v1/records/${junkParam(r)}`],
      ['GET', `/v1/rounds/${junkParam(r)}`], ['GET', `/v1/epochs/${junkParam(r)}`], ['GET', `/v1/export?zz${r.hex(4)}=${encodePath(randomString(r))}`],
      ['GET', `/v1/keys?zz=${encodePath(randomString(r))}&chain=${encodePath(randomString(r))}!`], ['GET', `/v1/head?chain=${junkParam(r)}`],
      ['DELETE', `/v1/tokens/${junkParam(r)}`],
    ] as const);
    const [method, url] = route;
    let body: string | undefined;
    if (method === 'POST') {
      let v = randomJson(r, r.int(0, 5));
      // An object always carries a field no schema has, so it can never be valid.
      if (r.chance(0.6) || (v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw))) {
        v = { ...(v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Raw) ? v : {}), [`zz${r.hex(4)}`]: randomJson(r, 2) };
      }
      body = toJson(v);
    }
    const contentType = body !== undefined && r.chance(0.15) ? r.pick(['text/plain', 'application/xml', '', 'application/json; charset=utf-8']) : undefined;
    const auth: Auth = r.chance(0.15) ? r.pick<Auth>(['none', 'revoked', { header: 'Bearer x' }]) : url === '/v1/tokens' || url.startsWith('/v1/tokens/') ? r.pick<Auth>(['admin', 'admin', 'game']) : r.pick<Auth>(['game', 'game', 'admin']);
    add({ category: 'random', note: `${method} ${url.slice(0, 50)} ${body?.slice(0, 60) ?? ''}`, method, url, ...(body !== undefined ? { body } : {}), ...(contentType !== undefined ? { contentType } : {}), auth });
  }
}
