/**
 * Two instances on one PostgreSQL database race on the same request ids:
 * each id is sent to both at the same moment, among requests with ids of
 * their own. Both lookups miss, both build a record, and the unique index
 * on request_id lets one commit. Every answer is then the one stored record
 * (or a 409 for a different body), the losing batch's other jobs are built
 * again rather than failed, and each id has exactly one record.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, counter, createDatabase, type Reply } from './pg-instances-helper.js';

const WAVES = 8;
const RACED = 25; // per wave, each sent to both instances
const OWN = 25; // per wave and instance, ids of its own
const CONFLICTING = 5; // per wave: the same id, a different body on each instance

let db: Awaited<ReturnType<typeof createDatabase>>;
let c: Cluster;

beforeAll(async () => {
  db = await createDatabase('rngseal_idem');
  c = new Cluster(db.url, 2, 10_000);
  await c.start(0);
  await c.start(1);
});

afterAll(async () => {
  await c?.stopAll();
  await db?.drop();
});

const dice = (id: string, count = 2) => ({ requestId: id, mapping: 'dice', params: { count, sides: 6 } });
const recordText = (r: Reply) => JSON.stringify(r.json.record);

describe('request ids raced across instances', () => {
  it('every answer is the one stored record or a 409; no other job of a losing batch fails', { timeout: 60_000 }, async () => {
    const raced = new Map<string, string>();
    const failures: string[] = [];
    for (let w = 0; w < WAVES; w++) {
      const racedIds = Array.from({ length: RACED }, (_, k) => `race-${w}-${k}`);
      const conflictIds = Array.from({ length: CONFLICTING }, (_, k) => `conflict-${w}-${k}`);
      const own = (i: number) => Array.from({ length: OWN }, (_, k) => c.post(i, '/v1/outcome', dice(`own-${i}-${w}-${k}`)));
      const [pairs, conflicts, own0, own1] = await Promise.all([
        Promise.all(racedIds.map((id) => Promise.all([c.post(0, '/v1/outcome', dice(id)), c.post(1, '/v1/outcome', dice(id))]))),
        Promise.all(conflictIds.map((id) => Promise.all([c.post(0, '/v1/outcome', dice(id, 2)), c.post(1, '/v1/outcome', dice(id, 3))]))),
        Promise.all(own(0)),
        Promise.all(own(1)),
      ]);
      // Same body on both: both answered with the same record.
      for (const [k, [a, b]] of pairs.entries()) {
        expect(a.status, a.text).toBe(200);
        expect(b.status, b.text).toBe(200);
        expect(recordText(b), racedIds[k]).toBe(recordText(a));
        raced.set(racedIds[k]!, recordText(a));
      }
      // A different body on each: one record, and a 409 for the other.
      for (const [k, [a, b]] of conflicts.entries()) {
        const statuses = [a.status, b.status].sort();
        expect(statuses, `${conflictIds[k]}: ${a.text} ${b.text}`).toEqual([200, 409]);
        const winner = a.status === 200 ? a : b;
        raced.set(conflictIds[k]!, recordText(winner));
        expect((a.status === 409 ? a : b).json.field).toBe('requestId');
      }
      // Requests that raced nobody never fail for the race of a batch-mate.
      for (const r of [...own0, ...own1]) if (r.status !== 200) failures.push(`${r.status} ${r.text}`);
    }
    expect(failures).toEqual([]);

    // Exactly one record per id, the one every 200 carried.
    const requests: string[] = [];
    for (const i of [0, 1]) for (const rec of await c.export(i, c.chainOf(i))) if (rec.body.request) requests.push(rec.body.request);
    expect(new Set(requests).size).toBe(requests.length);
    for (const [id, text] of raced) {
      const round = await c.get((id.length % 2), `/v1/rounds/${id}`);
      expect(JSON.stringify(round.json.outcome), id).toBe(text);
    }

    // The unique-index path was taken (both lookups missed), and losing batches' other jobs were built again.
    const races = (await counter(c, 0, 'rngseal_request_id_races_total')) + (await counter(c, 1, 'rngseal_request_id_races_total'));
    const requeued = (await counter(c, 0, 'rngseal_requeued_jobs_total')) + (await counter(c, 1, 'rngseal_requeued_jobs_total'));
    console.log(`${WAVES * (RACED + CONFLICTING)} ids raced: ${races} jobs lost the race at the unique index, ${requeued} batch-mates built again`);
    expect(races).toBeGreaterThan(0);
    expect(requeued).toBeGreaterThan(0);
  });
});
