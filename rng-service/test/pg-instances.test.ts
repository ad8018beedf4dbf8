/**
 * Three `rngseal serve` processes on one PostgreSQL database, each writing
 * its own chain, under concurrent load on all three; one is SIGKILLed each
 * round (3 rounds) and restarted. After every kill: the dead writer's
 * chain gets new records from a surviving instance within the lease time
 * (+ scan and verification margin), acknowledged requests retried on
 * another instance return the identical record, unacknowledged ones are
 * answered once, and a different body is a 409 on every instance; the
 * restarted instance gets its own chain back. At the end every
 * acknowledged record is in the store byte for byte, no request id was
 * used twice, and every chain audits end to end (`rngseal audit --url
 * --chain --key VKEY`).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boots, Cluster, createDatabase, sleep, waitFor, type Reply } from './pg-instances-helper.js';

const LEASE_MS = 2000;
const SIZE = 3;
const ROUNDS = 3;
const LOOPS = 6;
/**
 * Scan period (a third of the lease), chain verification and the boot
 * record: the takeover margin past the lease. (The lease is long enough that
 * a loaded instance never misses it on a busy 2-core machine.)
 */
const TAKEOVER_MARGIN_MS = LEASE_MS / 3 + 1500;

interface Call {
  path: string;
  body: Record<string, unknown>;
}

/** The request id's record as acknowledged (its canonical text). */
interface Acked {
  call: Call;
  text: string;
}

const direct = (id: string): Call => ({ path: '/v1/outcome', body: { requestId: id, mapping: 'dice', params: { count: 2, sides: 6 } } });
const inEpoch = (id: string, epoch: string): Call => ({
  path: '/v1/outcomes',
  body: { requestId: id, epoch, clientSeed: `player-${id}`, draws: [{ mapping: 'dice', params: { count: 3, sides: 6 } }, { mapping: 'range', params: { min: 1, max: 100 } }] },
});
/** Outcome and epoch replies both carry the request id's record as `record`. */
const recordOf = (_call: Call, reply: Reply) => reply.json.record;

let db: Awaited<ReturnType<typeof createDatabase>>;
let c: Cluster;

beforeAll(async () => {
  db = await createDatabase('rngseal_instances');
  c = new Cluster(db.url, SIZE, LEASE_MS);
  await c.start(0); // makes the key and the tokens the others share
  await Promise.all([1, 2].map((i) => c.start(i)));
});

afterAll(async () => {
  await c?.stopAll();
  await db?.drop();
});

describe('several instances on one PostgreSQL', () => {
  it(`kill -9 one of ${SIZE} under load, ${ROUNDS} rounds: nothing acknowledged is lost, dead chains continue elsewhere, every chain audits`, { timeout: 120_000 }, async () => {
    const acked = new Map<string, Acked>();
    const epochs: Array<{ epoch: string; home: number }> = [];
    const takeoverMs: number[] = [];
    const cut: number[] = [];
    const chains = Array.from({ length: SIZE }, (_, i) => c.chainOf(i));
    expect(new Set(chains).size).toBe(SIZE);

    const ack = (id: string, call: Call, reply: Reply) => acked.set(id, { call, text: JSON.stringify(recordOf(call, reply)) });

    for (let round = 0; round < ROUNDS; round++) {
      const victim = round % SIZE;
      const survivors = c.live().filter((i) => i !== victim);

      // Each instance opens an epoch: on its own chain.
      const roundEpochs = new Map<number, string>();
      for (const i of c.live()) {
        const call: Call = { path: '/v1/epochs', body: { requestId: `epoch-${round}-${i}` } };
        const r = await c.post(i, call.path, call.body);
        expect(r.status, r.text).toBe(200);
        expect(r.json.record.chain).toBe(chains[i]);
        ack(String(call.body.requestId), call, r);
        roundEpochs.set(i, r.json.epoch);
        epochs.push({ epoch: r.json.epoch, home: i });
      }

      // Load on every instance; the victim is killed in the middle of it.
      let stop = false;
      const unacked = new Map<string, Call>();
      const bad: string[] = [];
      const loop = async (i: number, n: number) => {
        const base = c.url_(i);
        for (let k = 0; !stop; k++) {
          const id = `r${round}-i${i}-l${n}-${k}`;
          const call = n % 2 === 0 ? inEpoch(id, roundEpochs.get(i)!) : direct(id);
          try {
            const r = await fetchReply(base, call);
            if (r.status === 200) ack(id, call, r);
            else bad.push(`${id} on ${i}: ${r.status} ${r.text}`);
          } catch {
            unacked.set(id, call); // the kill cut it
            return;
          }
        }
      };
      const loops = c.live().flatMap((i) => Array.from({ length: LOOPS }, (_, n) => loop(i, n)));
      await sleep(400 + Math.floor(Math.random() * 400));
      const ackedBeforeKill = acked.size;
      await c.kill(victim);
      const killedAt = Date.now();
      await sleep(100);
      stop = true;
      await Promise.all(loops);
      expect(bad).toEqual([]);
      expect(ackedBeforeKill).toBeGreaterThan(ROUNDS * SIZE);
      expect(unacked.size).toBeGreaterThan(0); // the victim's loops always have requests in flight
      cut.push(unacked.size);

      // The dead writer's chain continues on a survivor within the lease time (+ margin).
      const victimEpoch = roundEpochs.get(victim)!;
      const takeoverCall = inEpoch(`takeover-${round}`, victimEpoch);
      const taker = await waitFor('a survivor writing the dead instance\'s chain', 4 * LEASE_MS, async () => {
        for (const s of survivors) {
          const r = await c.post(s, takeoverCall.path, takeoverCall.body);
          if (r.status === 200) return { s, r };
          expect(r.status, r.text).toBe(503); // the chain is written elsewhere (nobody yet): retry
          expect(r.retryAfter).not.toBeNull();
        }
        return null;
      }, 25);
      takeoverMs.push(Date.now() - killedAt);
      expect(Date.now() - killedAt).toBeLessThan(LEASE_MS + TAKEOVER_MARGIN_MS);
      expect(taker.r.json.record.chain).toBe(chains[victim]);
      ack(`takeover-${round}`, takeoverCall, taker.r);
      const afterTakeover = boots(await c.export(taker.s, chains[victim]!));
      const takeoverBoot = afterTakeover.at(-1)!;
      expect(takeoverBoot.writer.reason).toBe('takeover');
      expect(takeoverBoot.writer.previous).toBe(afterTakeover.at(-2)!.writer.instance);
      expect(takeoverBoot.writer.lease).toBeGreaterThan(afterTakeover.at(-2)!.writer.lease);

      // Retries on another instance: every acknowledged record of this round, identical; unacknowledged ones answered once.
      for (const [id, a] of acked) {
        if (!id.startsWith(`r${round}-i${victim}-`) && id !== `epoch-${round}-${victim}`) continue;
        for (const s of survivors) {
          const r = await c.post(s, a.call.path, a.call.body);
          expect(r.status, `${id} on ${s}: ${r.text}`).toBe(200);
          expect(JSON.stringify(recordOf(a.call, r)), id).toBe(a.text);
        }
      }
      for (const [id, call] of unacked) {
        const first = await c.post(taker.s, call.path, call.body);
        expect(first.status, `${id}: ${first.text}`).toBe(200);
        ack(id, call, first);
        for (const s of survivors) {
          const again = await c.post(s, call.path, call.body);
          expect(again.status, `${id} on ${s}: ${again.text}`).toBe(200);
          expect(JSON.stringify(recordOf(call, again))).toBe(acked.get(id)!.text);
        }
      }
      // The same request id with another body: 409 on every instance.
      const someId = [...acked.keys()].find((id) => id.startsWith(`r${round}-i${victim}-`) && acked.get(id)!.call.path === '/v1/outcome')!;
      for (const s of survivors) {
        const r = await c.post(s, '/v1/outcome', { requestId: someId, mapping: 'dice', params: { count: 3, sides: 6 } });
        expect(r.status, r.text).toBe(409);
        expect(r.json.field).toBe('requestId');
      }

      // The restarted instance gets its own chain back from the survivor that continued it.
      await c.start(victim);
      expect(c.procs[victim]!.stderr()).toContain(`serving chain ${chains[victim]} `);
      const back = boots(await c.export(victim, chains[victim]!)).at(-1)!;
      expect(back.writer.reason).toBe('start');
      expect(back.writer.previous).toBe(takeoverBoot.writer.instance);
      const home = inEpoch(`home-again-${round}`, victimEpoch);
      const r = await c.post(victim, home.path, home.body);
      expect(r.status, r.text).toBe(200);
      expect(r.json.record.chain).toBe(chains[victim]);
      ack(`home-again-${round}`, home, r);
    }

    // Every epoch is revealed by the instance writing its chain.
    for (const { epoch, home } of epochs) expect((await c.post(home, `/v1/epochs/${epoch}/reveal`, {})).status).toBe(200);

    // Every chain is listed on every instance, with a live writer, and audits end to end.
    const listed = (await c.get(0, '/v1/chains')).json as Array<{ chain: string; writer: string | null }>;
    expect(listed.map((l) => l.chain).sort()).toEqual([...chains].sort());
    expect(listed.every((l) => l.writer !== null)).toBe(true);
    const stored = new Map<string, string>();
    const requests: string[] = [];
    for (const [i, chain] of chains.entries()) {
      const audit = await c.audit((i + 1) % SIZE, chain);
      expect(audit.stdout, audit.stderr).toMatch(new RegExp(`^OK chain ${chain}: `));
      expect(audit.code).toBe(0);
      const records = await c.export((i + 2) % SIZE, chain);
      records.forEach((rec, seq) => expect(rec.seq).toBe(seq));
      for (const rec of records) {
        if (rec.body.request) requests.push(rec.body.request);
        if (rec.body.request) stored.set(rec.body.request, JSON.stringify(rec));
      }
    }
    // Every acknowledged record is stored byte for byte; no request was applied twice.
    for (const [id, a] of acked) expect(stored.get(id), id).toBe(a.text);
    expect(new Set(requests).size).toBe(requests.length);
    console.log(`takeover after kill: ${takeoverMs.join(', ')} ms (lease ${LEASE_MS} ms); requests cut by each kill: ${cut.join(', ')}; ` +
      `${acked.size} acknowledged, ${requests.length} requests stored`);
  });
});

async function fetchReply(base: string, call: Call): Promise<Reply> {
  const res = await fetch(base + call.path, {
    method: 'POST',
    headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(call.body),
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text), text, retryAfter: res.headers.get('retry-after') };
}
