/**
 * Crash safety: the service is SIGKILLed under concurrent HTTP load, several
 * times, on one data directory. After every restart each acknowledged
 * response is still in the log unchanged, unacknowledged requests retry
 * idempotently, and at the end the chain has no seq gap and audits end to end.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, spawnService, tempDir, type ChildService } from './helper.js';

const ROUNDS = 4;
const LOOPS = 48;
/** Every EPOCH_EVERY-th loop draws in the round's epoch with a client seed. */
const EPOCH_EVERY = 4;

interface Call {
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
}

interface Reply {
  status: number;
  json: any;
}

/** What a request id was acknowledged with (HTTP 200, whole JSON body). */
interface Acked {
  call: Call;
  reply: any;
  /** Which record of the reply is the request id's record. */
  record: any;
}

async function send(url: string, token: string, call: Call): Promise<Reply> {
  const res = await fetch(url + call.path, {
    method: call.method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(call.body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function get(url: string, path: string): Promise<Reply> {
  const res = await fetch(url + path);
  const text = await res.text();
  return { status: res.status, json: /^application\/(problem\+)?json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
}

const recordOf = (call: Call, json: any) => (call.path.startsWith('/v1/epochs/') ? json : json.record);

function directCall(id: string): Call {
  return { method: 'POST', path: '/v1/outcome', body: { requestId: id, mapping: 'dice', params: { count: 2, sides: 6 } } };
}

function epochCall(id: string, epoch: string): Call {
  return {
    method: 'POST',
    path: '/v1/outcomes',
    body: {
      requestId: id,
      epoch,
      clientSeed: `player-${id}`,
      draws: [
        { mapping: 'dice', params: { count: 3, sides: 6 } },
        { mapping: 'range', params: { min: 1, max: 100 } },
      ],
    },
  };
}

function revealCall(epoch: string): Call {
  return { method: 'POST', path: `/v1/epochs/${epoch}/reveal`, body: {} };
}

describe('crash safety under SIGKILL', () => {
  it(`loses no acknowledged outcome across ${ROUNDS} kills under load; the chain stays gapless and audits`, { timeout: 90_000 }, async () => {
    const dataDir = tempDir('rngseal-crash-');
    const acked = new Map<string, Acked>(); // requestId (or reveal:<epoch>) → acknowledged reply
    let unacked = new Map<string, Call>(); // in flight at the last kill
    const epochs: string[] = [];
    const kills: Array<{ killAfterMs: number; acked: number; inflightAtKill: number; connectionErrors: number }> = [];
    /** Per restart: unacknowledged requests of the previous kill found committed, or appended on retry. */
    const retries: Array<{ committedBeforeKill: number; appendedOnRetry: number }> = [];

    /** Restart checks: every acknowledged record unchanged; unacknowledged ids retry idempotently. */
    const checkAfterRestart = async (svc: ChildService, token: string) => {
      const bootSeq = (await get(svc.url, '/v1/head')).json.seq as number;
      for (const [id, a] of acked) {
        if (id.startsWith('reveal:')) {
          // A reveal is idempotent: revealing again returns the stored reveal record.
          const again = await send(svc.url, token, a.call);
          expect(again.status).toBe(200);
          expect(again.json).toEqual(a.record);
          continue;
        }
        const round = await get(svc.url, `/v1/rounds/${id}`);
        expect(round.status, `round ${id}`).toBe(200);
        const stored = round.json.outcome ?? round.json.commit;
        expect(stored, `round ${id}`).toEqual(a.record);
      }
      let committedBeforeKill = 0;
      let appendedOnRetry = 0;
      for (const [id, call] of unacked) {
        const first = await send(svc.url, token, call);
        expect(first.status, `retry ${id}: ${JSON.stringify(first.json)}`).toBe(200);
        const second = await send(svc.url, token, call);
        expect(second.status).toBe(200);
        expect(second.json).toEqual(first.json);
        const record = recordOf(call, first.json);
        if (record.seq < bootSeq) committedBeforeKill++; // durable, but the kill cut its acknowledgement
        else appendedOnRetry++;
        acked.set(id, { call, reply: first.json, record });
      }
      unacked = new Map();
      retries.push({ committedBeforeKill, appendedOnRetry });
    };

    let token = '';
    for (let round = 0; round < ROUNDS; round++) {
      const svc = await spawnService(dataDir);
      token ||= readFileSync(join(dataDir, 'game-server.token'), 'utf8').trim();
      await checkAfterRestart(svc, token);

      const epochReply = await send(svc.url, token, { method: 'POST', path: '/v1/epochs', body: { requestId: `epoch-${round}` } });
      expect(epochReply.status).toBe(200);
      const epoch = epochReply.json.epoch as string;
      acked.set(`epoch-${round}`, { call: { method: 'POST', path: '/v1/epochs', body: { requestId: `epoch-${round}` } }, reply: epochReply.json, record: epochReply.json.record });
      epochs.push(epoch);

      let killed = false;
      let inflight = 0;
      let connectionErrors = 0;
      let errorsBeforeKill = 0;
      const badStatus: string[] = [];
      let ackedThisRound = 0;
      const attempt = async (id: string, call: Call) => {
        inflight++;
        try {
          const reply = await send(svc.url, token, call);
          if (reply.status === 200) {
            acked.set(id, { call, reply: reply.json, record: recordOf(call, reply.json) });
            ackedThisRound++;
          } else badStatus.push(`${id}: ${reply.status} ${JSON.stringify(reply.json)}`);
        } catch {
          if (killed) connectionErrors++;
          else errorsBeforeKill++;
          unacked.set(id, call);
        } finally {
          inflight--;
        }
      };
      const loop = async (n: number) => {
        for (let i = 0; !killed; i++) {
          const id = `r${round}-l${n}-${i}`;
          await attempt(id, n % EPOCH_EVERY === 0 ? epochCall(id, epoch) : directCall(id));
        }
      };
      const loops = Array.from({ length: LOOPS }, (_, n) => loop(n));
      // The previous round's epoch is revealed while the load runs: the reveal may be cut by the kill too.
      const previous = epochs[round - 1];
      const reveal = previous ? (async () => {
        await new Promise((r) => setTimeout(r, 50));
        if (!killed) await attempt(`reveal:${previous}`, revealCall(previous));
      })() : Promise.resolve();

      const killAfterMs = 200 + Math.floor(Math.random() * 600);
      await new Promise((r) => setTimeout(r, killAfterMs));
      const inflightAtKill = inflight;
      killed = true;
      svc.child.kill('SIGKILL');
      await svc.exited;
      await Promise.all([...loops, reveal]);

      expect(badStatus).toEqual([]);
      expect(errorsBeforeKill).toBe(0);
      expect(inflightAtKill).toBeGreaterThan(0);
      expect(ackedThisRound).toBeGreaterThan(0);
      kills.push({ killAfterMs, acked: ackedThisRound, inflightAtKill, connectionErrors });
    }

    // Last restart: checks, reveal every epoch still open, export and audit.
    const svc = await spawnService(dataDir);
    await checkAfterRestart(svc, token);
    for (const epoch of epochs) {
      const r = await send(svc.url, token, revealCall(epoch));
      expect(r.status).toBe(200);
    }
    const keys = (await get(svc.url, '/v1/keys')).json as Array<{ publicKey: string }>;
    expect(keys).toHaveLength(1);
    const exported = (await get(svc.url, '/v1/export')).json as string;
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);

    const lines = exported.split('\n').filter((l) => l.length > 0);
    const records = lines.map((l) => JSON.parse(l));
    records.forEach((r, i) => expect(r.seq, 'seq gap').toBe(i));
    expect(records.filter((r) => r.type === 'boot')).toHaveLength(ROUNDS + 1);
    // Every acknowledged record is in the export at its seq, byte-for-byte the record acknowledged.
    for (const [id, a] of acked) expect(records[a.record.seq], id).toEqual(a.record);
    // No request was applied twice across a crash.
    const requests = records.filter((r) => r.type === 'outcome' || r.type === 'commit').map((r) => r.body.request as string);
    expect(new Set(requests).size).toBe(requests.length);
    // Every epoch was committed and revealed exactly once.
    expect(records.filter((r) => r.type === 'reveal').map((r) => r.body.epoch).sort()).toEqual([...epochs].sort());

    const exportFile = join(dataDir, 'export.ndjson');
    writeFileSync(exportFile, exported);
    const audit = await runCli(['audit', exportFile, '--key', keys[0]!.publicKey]);
    expect(audit.stdout, audit.stderr).toMatch(/^OK chain /);
    expect(audit.stdout).toContain(`${records.length} records, seq 0–${records.length - 1}`);
    expect(audit.stdout).toContain(`${epochs.length} epochs revealed and matched`);
    expect(audit.code).toBe(0);

    // Full start-up verification of the whole chain (every link, signature and outcome) passes.
    const full = await spawnService(dataDir, ['--verify-full']);
    full.child.kill('SIGTERM');
    expect(await full.exited).toBe(0);

    // At least one kill cut connections with requests in flight.
    expect(kills.some((k) => k.connectionErrors > 0)).toBe(true);
    console.log(`kills: ${JSON.stringify(kills)}\nretries after restart: ${JSON.stringify(retries)}\n${records.length} records, ${acked.size} acknowledged`);
  });
});
