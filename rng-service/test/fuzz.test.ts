/**
 * Fuzz: thousands of generated malformed requests against a real service
 * (fastify inject, and a share over real HTTP). Every answer must be a 4xx
 * RFC 9457 problem+json naming what was wrong, no answer may leak a token,
 * and afterwards the service must still be ready, still serve, and its
 * chain must hold only valid records, none appended by the storm.
 *
 * Seeded and deterministic: RNGSEAL_FUZZ_SEED=<n> replays another storm.
 */

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ChainAuditor, parseRecord, type LogRecord } from '@rngseal/verifier';
import { type Auth, type FuzzCase, type FuzzContext, generateCases, type Mangle } from './fuzz-cases.js';
import { startTestService, type TestService } from './helper.js';

const SEED = Number(process.env.RNGSEAL_FUZZ_SEED ?? 0x5eed_f022);
const MIN_CASES = 2000;
const INJECT_CONCURRENCY = 8;
const HTTP_CONCURRENCY = 4;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  wwwAuthenticate: string | undefined;
}

interface Failure {
  id: number;
  category: string;
  note: string;
  transport: string;
  problem: string;
  status?: number;
  body?: string;
}

let s: TestService;
let ctx: FuzzContext;
let revokedToken: string;
let headBefore: number;

async function ok(method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, token?: string | null) {
  const res = await s.call(method, url, payload, token);
  if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${res.text}`);
  return res.json;
}

beforeAll(async () => {
  s = await startTestService();
  const open = await ok('POST', '/v1/epochs', { requestId: 'setup-epoch-open' });
  const closing = await ok('POST', '/v1/epochs', { requestId: 'setup-epoch-revealed' });
  await ok('POST', `/v1/epochs/${closing.epoch}/reveal`);
  await ok('POST', '/v1/outcomes', { requestId: 'setup-outcome', draws: [{ mapping: 'dice', params: { count: 3, sides: 6 } }] });
  // Revoked before it is ever used, so no cached lookup can still accept it.
  const created = await ok('POST', '/v1/tokens', { scopes: ['outcomes'], label: 'fuzz: revoked' }, s.adminToken);
  await ok('DELETE', `/v1/tokens/${created.info.id}`, undefined, s.adminToken);
  revokedToken = created.token;
  headBefore = (await ok('GET', '/v1/head')).seq;
  ctx = {
    openEpoch: open.epoch,
    revealedEpoch: closing.epoch,
    usedRequestId: 'setup-outcome',
    usedEpochRequestId: 'setup-epoch-open',
    revokedTokenId: created.info.id,
    headSeq: headBefore,
  };
});

afterAll(async () => {
  await s?.stop();
});

function mangled(m: Mangle, id: number): string {
  const flip = (token: string) => {
    const i = 4 + (id % (token.length - 4));
    return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
  };
  switch (m) {
    case 'flip-game':
      return `Bearer ${flip(s.token)}`;
    case 'flip-admin':
      return `Bearer ${flip(s.adminToken)}`;
    case 'wrong-scheme':
      return `Basic ${s.token}`;
    case 'no-scheme':
      return s.token;
    case 'upper-prefix':
      return `Bearer RSK_${s.token.slice(4)}`;
    case 'extra-char':
      return `Bearer ${s.token}A`;
    case 'drop-char':
      return `Bearer ${s.token.slice(0, -1)}`;
  }
}

function authorization(auth: Auth, id: number): string | undefined {
  if (auth === 'none') return undefined;
  if (auth === 'game') return `Bearer ${s.token}`;
  if (auth === 'admin') return `Bearer ${s.adminToken}`;
  if (auth === 'revoked') return `Bearer ${revokedToken}`;
  if ('header' in auth) return auth.header;
  return mangled(auth.mangle, id);
}

function headersOf(c: FuzzCase): Record<string, string> {
  const headers: Record<string, string> = { ...c.headers };
  const auth = authorization(c.auth, c.id);
  if (auth !== undefined) headers.authorization = auth;
  if (c.body !== undefined && c.contentType !== '') headers['content-type'] = c.contentType ?? 'application/json';
  return headers;
}

async function viaInject(c: FuzzCase): Promise<Answer> {
  const res = await s.app.inject({
    method: c.method as 'GET',
    url: c.url,
    headers: headersOf(c),
    ...(c.body !== undefined ? { payload: c.body } : {}),
  });
  const www = res.headers['www-authenticate'];
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text: res.body, wwwAuthenticate: www === undefined ? undefined : String(www) };
}

/** Writes a raw request to a socket and reads one answer (it must have a Content-Length). */
function viaSocket(raw: string): Promise<Answer> {
  const { hostname, port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => settle(new Error('no answer within 10 s')), 10_000);
    const settle = (result: Answer | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const tryParse = (): boolean => {
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const body = data.subarray(end + 4);
      const length = Number(headers.get('content-length'));
      if (!Number.isInteger(length) || body.length < length) return false;
      settle({ status: Number(statusLine.split(' ')[1]), contentType: headers.get('content-type') ?? '', text: body.subarray(0, length).toString(), wwwAuthenticate: headers.get('www-authenticate') });
      return true;
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse();
    });
    socket.on('error', () => {}); // a reset after the answer is expected; 'close' follows either way
    socket.on('close', () => tryParse() || settle(new Error(`connection closed after ${data.length} bytes without an answer`)));
    socket.write(raw.replace('GAME_TOKEN', s.token), 'latin1');
  });
}

async function viaHttp(c: FuzzCase): Promise<Answer> {
  if (c.raw !== undefined) return viaSocket(c.raw);
  let body: BodyInit | undefined;
  if (c.body !== undefined) {
    const bytes = typeof c.body === 'string' ? Buffer.from(c.body) : c.body;
    if (c.chunked) {
      body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 64 * 1024) controller.enqueue(bytes.subarray(at, at + 64 * 1024));
          controller.close();
        },
      });
    } else {
      // Bytes, not a string: fetch then adds no content-type of its own.
      body = Uint8Array.from(bytes);
    }
  }
  const res = await fetch(s.url + c.url, { method: c.method, headers: headersOf(c), body, ...(c.chunked ? { duplex: 'half' } : {}) } as RequestInit);
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    text: await res.text(),
    wwwAuthenticate: res.headers.get('www-authenticate') ?? undefined,
  };
}

/** Everything wrong with one answer (an empty list: the answer is right). */
function problemsOf(c: FuzzCase, a: Answer): string[] {
  const out: string[] = [];
  if (a.status < 400 || a.status > 499) out.push(`status ${a.status} is not a 4xx`);
  if (c.status && c.status.length > 0 && !c.status.includes(a.status)) out.push(`status ${a.status}, expected ${c.status.join(' or ')}`);
  if (!a.contentType.startsWith('application/problem+json')) out.push(`content-type ${JSON.stringify(a.contentType)}`);
  let p: Record<string, unknown> | undefined;
  try {
    p = JSON.parse(a.text) as Record<string, unknown>;
  } catch {
    out.push('body is not JSON');
  }
  if (p) {
    if (typeof p.type !== 'string' || p.type === '') out.push('no type');
    if (typeof p.title !== 'string' || p.title === '') out.push('no title');
    if (p.status !== a.status) out.push(`problem status ${String(p.status)} != HTTP ${a.status}`);
    const detail = p.detail;
    if (typeof detail !== 'string' || detail.trim() === '') {
      out.push('no detail');
    } else {
      if (c.field !== undefined && !detail.includes(c.field)) out.push(`detail does not name ${JSON.stringify(c.field)}`);
      // Every 400 names its field first: "draws[0].params.sides: …", "body: not valid JSON".
      if (a.status === 400 && !/^\S[^]*?: \S/.test(detail)) out.push('400 detail does not start with a field');
    }
  }
  if (a.status === 401 && !a.wwwAuthenticate?.startsWith('Bearer')) out.push('401 without WWW-Authenticate: Bearer');
  for (const [name, token] of [['game-server', s.token], ['admin', s.adminToken], ['revoked', revokedToken]] as const) {
    if (a.text.includes(token)) out.push(`the ${name} token is in the answer`);
  }
  return out;
}

async function pool<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

describe('fuzz: malformed requests', () => {
  test(`≥ ${MIN_CASES} malformed requests each get a 4xx problem+json naming the fault`, async () => {
    const started = performance.now();
    const cases = generateCases(SEED, ctx);
    expect(cases.length).toBeGreaterThanOrEqual(MIN_CASES);

    const failures: Failure[] = [];
    const byCategory = new Map<string, number>();
    const byStatus = new Map<string, number>();
    const byTransport = new Map<string, number>();
    const check = async (c: FuzzCase, transport: 'inject' | 'http') => {
      let answer: Answer;
      try {
        answer = transport === 'inject' ? await viaInject(c) : await viaHttp(c);
      } catch (err) {
        failures.push({ id: c.id, category: c.category, note: c.note, transport, problem: `request failed: ${String(err)}` });
        return;
      }
      tally(byCategory, c.category);
      tally(byStatus, String(answer.status));
      tally(byTransport, transport);
      const problems = problemsOf(c, answer);
      if (problems.length > 0) {
        failures.push({ id: c.id, category: c.category, note: c.note, transport, problem: problems.join('; '), status: answer.status, body: answer.text.slice(0, 300) });
      }
    };

    await pool(cases.filter((c) => c.transport !== 'http'), INJECT_CONCURRENCY, (c) => check(c, 'inject'));
    await pool(cases.filter((c) => c.transport !== 'inject'), HTTP_CONCURRENCY, (c) => check(c, 'http'));

    const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
    const answers = [...byTransport.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz (seed ${SEED}): ${cases.length} cases, ${answers} answers in ${Math.round(performance.now() - started)} ms\n` +
        `  by category:  ${JSON.stringify(sorted(byCategory))}\n` +
        `  by status:    ${JSON.stringify(sorted(byStatus))}\n` +
        `  by transport: ${JSON.stringify(sorted(byTransport))}\n` +
        `  failures:     ${failures.length}`,
    );
    for (const f of failures.slice(0, 100)) console.log(`#${f.id} ${f.category} [${f.transport}] ${f.note}: ${f.problem} :: ${f.body?.slice(0, 160) ?? ''}`);
    expect(failures.slice(0, 25), `${failures.length} of ${answers} answers were wrong (the first 25 shown)`).toEqual([]);
    expect(byTransport.get('http') ?? 0).toBeGreaterThanOrEqual(100);
  }, 120_000);

  test('after the storm: ready, still serving, and the chain is intact with nothing appended', async () => {
    // Nothing of the storm reached the log.
    expect((await ok('GET', '/v1/head')).seq).toBe(headBefore);

    const ready = await s.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.ready).toBe(true);

    // A request id of the full 128 characters still works end to end, lookup included.
    const requestId = `after-storm-${'x'.repeat(116)}`;
    expect(requestId).toHaveLength(128);
    const direct = await ok('POST', '/v1/outcomes', { requestId, draws: [{ mapping: 'dice', params: { count: 2, sides: 6 } }, { mapping: 'range', params: { min: -5, max: 5 } }] });
    expect(direct.results).toHaveLength(2);
    expect((await ok('GET', `/v1/rounds/${requestId}`)).outcome.hash).toBe(direct.record.hash);
    const seeded = await ok('POST', '/v1/outcome', { requestId: 'after-storm-epoch', epoch: ctx.openEpoch, clientSeed: 'player-chosen-seed-42', mapping: 'shuffle', params: { n: 10 } });
    expect(seeded.results[0]).toHaveLength(10);
    // The storm's reuse of these ids changed nothing: a true retry still replays.
    const replay = await ok('POST', '/v1/outcomes', { requestId: 'setup-outcome', draws: [{ mapping: 'dice', params: { count: 3, sides: 6 } }] });
    expect(replay.record.seq).toBeLessThanOrEqual(headBefore);
    // Close the open epoch so the audit can recompute every outcome.
    await ok('POST', `/v1/epochs/${ctx.openEpoch}/reveal`);

    const exported = await fetch(`${s.url}/v1/export`);
    expect(exported.status).toBe(200);
    const lines = (await exported.text()).split('\n').filter((l) => l !== '');
    const records: LogRecord[] = lines.map((l) => parseRecord(l));
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i));
    expect(records).toHaveLength(headBefore + 4);
    expect(records.filter((r) => r.seq > headBefore).map((r) => r.type)).toEqual(['outcome', 'outcome', 'reveal']);

    const auditor = new ChainAuditor();
    for (const record of records) auditor.push(record);
    const report = auditor.finish();
    expect(report.records).toBe(records.length);
    expect(report.lastSeq).toBe(records.length - 1);
    expect(report.epochsOpen).toEqual([]);
  });
});
