/**
 * Fencing: a writer whose lease was taken over (or expired) cannot append.
 *  - In the store (a schema of its own): an append under a stale or expired
 *    token is a FencedError and writes nothing; acquisitions are exclusive;
 *    a claim reserves a chain for its own instance; the token never
 *    decreases; a request id another writer committed fails only its ids.
 *  - Across processes: instance A is SIGSTOPped past its lease, B takes A's
 *    chain and appends to it, A is SIGCONTed: every request A received while
 *    stopped is refused (503, nothing stored), A logs that it stepped down,
 *    the chain has no fork and audits, and A later gets its chain back.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencedError, RequestIdTakenError, type StoredRecord } from '../src/store/log-store.js';
import { PostgresStore } from '../src/store/postgres.js';
import { FENCE_CHECK } from '../src/store/postgres-leases.js';
import { boots, Cluster, createDatabase, sleep, waitFor } from './pg-instances-helper.js';

const PG_URL = process.env.RNGSEAL_TEST_PG ?? 'postgres://root@127.0.0.1:5432/test';

function rec(chain: string, seq: number, requestId: string | null = null): StoredRecord {
  return { chain, seq, type: 'outcome', requestId, requestDigest: requestId && 'd', hash: seq.toString(16).padStart(64, '0'), text: `{"seq":${seq}}` };
}

const leaf = (index: number) => ({ index, hash: new Uint8Array(32).fill(index + 1) });

describe('fenced appends in the PostgreSQL store', () => {
  const schema = `rngseal_fence_${randomBytes(4).toString('hex')}`;
  let store: PostgresStore;
  const raw = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    store = new PostgresStore(PG_URL, schema);
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('an expired or taken-over token appends nothing (FencedError); the new holder appends', async () => {
    const a = (await store.leases.acquire('c', 'a', 300, 'origin/c'))!;
    expect(a).toMatchObject({ chain: 'c', holder: 'a', token: 1, previous: null, origin: 'origin/c' });
    await store.append({ chain: 'c', records: [rec('c', 0)], epochs: [], treeHashes: [leaf(0)], fence: a });
    await sleep(400);
    // Paused past its lease, nobody took it yet: refused all the same.
    const expired = await store.append({ chain: 'c', records: [rec('c', 1)], epochs: [], treeHashes: [leaf(1)], fence: a }).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(FencedError);
    expect(expired).toMatchObject({ chain: 'c', token: 1 });
    const b = (await store.leases.takeOver('c', 'b', 10_000))!;
    expect(b).toMatchObject({ holder: 'b', token: 2, previous: 'a', origin: 'origin/c' });
    expect(await store.leases.renew(a)).toBe('lost');
    const stale = await store.append({ chain: 'c', records: [rec('c', 1)], epochs: [], treeHashes: [leaf(1)], fence: a }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(FencedError);
    // Nothing of the refused batch was written: no record, no tree hash.
    expect((await store.head('c'))?.seq).toBe(0);
    expect(await store.readTreeHashes('c', [1])).toEqual([null]);
    await store.append({ chain: 'c', records: [rec('c', 1)], epochs: [], treeHashes: [leaf(1)], fence: b });
    expect((await store.head('c'))?.seq).toBe(1);
    expect(await store.leases.renew(b)).toBe('held');
  });

  it('of simultaneous takeovers of an expired lease exactly one wins, with the next token', async () => {
    await store.leases.acquire('t', 'dead', 300, 'origin/t');
    await sleep(400);
    const grants = await Promise.all(['x1', 'x2', 'x3', 'x4', 'x5'].map((h) => store.leases.takeOver('t', h, 10_000)));
    const won = grants.filter((g) => g !== null);
    expect(won).toHaveLength(1);
    expect(won[0]).toMatchObject({ token: 2, previous: 'dead' });
    expect(await store.leases.takeOver('t', 'x6', 10_000)).toBeNull(); // held now
    expect(await store.leases.expired()).not.toContain('t');
  });

  it('a claim reserves a chain for its own instance: the holder is told, releases, and no third instance takes it', async () => {
    await store.leases.acquire('h', 'home-1', 300, 'origin/h');
    await sleep(400);
    const x = (await store.leases.takeOver('h', 'x', 10_000))!;
    expect(await store.leases.acquire('h', 'home-2', 10_000, 'origin/h')).toBeNull(); // held by x
    await store.leases.claim('h', 'home-2', 10_000);
    expect(await store.leases.renew(x)).toBe('claimed');
    await store.leases.release(x);
    expect(await store.leases.expired()).not.toContain('h'); // reserved by the live claim
    expect(await store.leases.takeOver('h', 'y', 10_000)).toBeNull();
    expect(await store.leases.acquire('h', 'home-2', 10_000, 'origin/h')).toMatchObject({ token: 3, previous: 'x' });
  });

  it('a writer paused inside its append transaction never blocks a takeover, and loses its transaction after the idle limit', async () => {
    const a = (await store.leases.acquire('p', 'a', 300, 'origin/p'))!;
    // The paused writer: its transaction passed the fence check (row held FOR SHARE) and then stalls.
    const paused = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    paused.on('error', () => {});
    await paused.connect();
    await paused.query('BEGIN');
    expect((await paused.query(FENCE_CHECK, ['p', 'a', a.token, '1200'])).rowCount).toBe(1);
    await sleep(400); // the lease has expired; the row is still locked
    const asked = Date.now();
    expect(await store.leases.takeOver('p', 'b', 10_000)).toBeNull(); // skipped, not waited for
    expect(Date.now() - asked).toBeLessThan(200);
    await sleep(1000); // past the transaction's idle limit: PostgreSQL ended the paused session
    expect(await store.leases.takeOver('p', 'b', 10_000)).toMatchObject({ token: 2, previous: 'a' });
    await expect(paused.query(`INSERT INTO records (chain, seq, type, hash, record) VALUES ('p', 0, 'outcome', 'h', '{}')`)).rejects.toThrow();
    await paused.end().catch(() => {});
    expect(await store.head('p')).toBeNull();
  });

  it('the fencing token never decreases, even for the table owner', async () => {
    await store.leases.acquire('k', 'k1', 10_000, 'origin/k');
    await expect(raw("UPDATE leases SET token = 0 WHERE chain = 'k'")).rejects.toThrow();
    await expect(raw("UPDATE leases SET holder = 'k2', token = token - 1 WHERE chain = 'k'")).rejects.toThrow(/never decreases/);
    expect(await raw("SELECT token FROM leases WHERE chain = 'k'")).toEqual([{ token: '1' }]);
  });

  it('a request id another writer committed first fails only that id (RequestIdTakenError) and writes nothing of the batch', async () => {
    const w = (await store.leases.acquire('r', 'w', 10_000, 'origin/r'))!;
    await store.append({ chain: 'other', records: [rec('other', 0, 'taken-1')], epochs: [], treeHashes: [] });
    const err = await store.append({
      chain: 'r', records: [rec('r', 0, 'free-1'), rec('r', 1, 'taken-1'), rec('r', 2, 'free-2')], epochs: [], treeHashes: [leaf(0)], fence: w,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RequestIdTakenError);
    expect((err as RequestIdTakenError).requestIds).toEqual(['taken-1']);
    expect(await store.head('r')).toBeNull();
    expect(await store.byRequest('free-1')).toBeNull();
  });
});

describe('a writer paused past its lease (SIGSTOP)', () => {
  const LEASE_MS = 1500;
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let c: Cluster;
  beforeAll(async () => {
    db = await createDatabase('rngseal_fencing');
    c = new Cluster(db.url, 2, LEASE_MS);
    await c.start(0);
    await c.start(1);
  });
  afterAll(async () => {
    for (const i of c.live()) c.procs[i]!.child.kill('SIGCONT');
    await c?.stopAll();
    await db?.drop();
  });

  it('its appends are refused once another instance took its chain; it steps down, takes the chain back later, and the chain has no fork', { timeout: 60_000 }, async () => {
    const chainA = c.chainOf(0);
    const acked = new Map<string, string>(); // request id → record text
    const outcome = (id: string, epoch?: string) => ({
      requestId: id, mapping: 'dice', params: { count: 2, sides: 6 }, ...(epoch ? { epoch, clientSeed: `player-${id}` } : {}),
    });
    const e = await c.post(0, '/v1/epochs', { requestId: 'fence-epoch' });
    expect(e.status).toBe(200);
    const epoch = e.json.epoch as string;
    for (let k = 0; k < 5; k++) {
      const r = await c.post(0, '/v1/outcome', outcome(`a-${k}`, k % 2 ? epoch : undefined));
      expect(r.status).toBe(200);
      acked.set(`a-${k}`, JSON.stringify(r.json.record));
    }

    const a = c.procs[0]!;
    a.child.kill('SIGSTOP');
    await sleep(100);
    // Requests reach the paused process (the kernel accepts them) and wait.
    const pendingIds = Array.from({ length: 8 }, (_, k) => `paused-${k}`);
    const pending = pendingIds.map((id, k) => c.post(0, '/v1/outcome', outcome(id, k % 2 ? epoch : undefined)));

    // B takes A's chain once the lease expired, and appends to it.
    const first = await waitFor('B writing A\'s chain', 5 * LEASE_MS, async () => {
      const r = await c.post(1, '/v1/outcome', outcome('b-0', epoch));
      if (r.status === 200) return r;
      expect(r.status, r.text).toBe(503);
      return null;
    });
    expect(first.json.record.chain).toBe(chainA);
    acked.set('b-0', JSON.stringify(first.json.record));
    for (let k = 1; k < 4; k++) {
      const r = await c.post(1, '/v1/outcome', outcome(`b-${k}`, epoch));
      expect(r.status).toBe(200);
      acked.set(`b-${k}`, JSON.stringify(r.json.record));
    }

    a.child.kill('SIGCONT');
    const answers = await Promise.all(pending);
    for (const [k, r] of answers.entries()) {
      expect(r.status, `${pendingIds[k]}: ${r.text}`).toBe(503);
      expect(r.retryAfter).not.toBeNull();
    }
    await waitFor('A to log that it stepped down', 5000, async () => (c.logs[0]!.includes('writer lease lost: stepped down on the chain') ? true : null));

    // A asks for its chain back; B hands it over, and A writes it again.
    const resumed = await waitFor('A writing its chain again', 5 * LEASE_MS, async () => {
      const r = await c.post(0, '/v1/outcome', outcome('a-after', epoch));
      if (r.status === 200) return r;
      expect(r.status, r.text).toBe(503);
      return null;
    }, 100);
    expect(resumed.json.record.chain).toBe(chainA);
    acked.set('a-after', JSON.stringify(resumed.json.record));

    // No fork: one linear chain (the audit checks every link), A's refused requests absent, all acknowledged records present.
    const records = await c.export(1, chainA);
    records.forEach((r, seq) => expect(r.seq).toBe(seq));
    const stored = new Map(records.filter((r) => r.body.request).map((r) => [r.body.request as string, JSON.stringify(r)]));
    for (const [id, text] of acked) expect(stored.get(id), id).toBe(text);
    for (const id of pendingIds) {
      expect(stored.has(id), id).toBe(false);
      expect((await c.get(1, `/v1/rounds/${id}`)).status).toBe(404);
    }
    const [start, takeover, resume] = boots(records).map((b) => b.writer);
    expect(start).toMatchObject({ reason: 'start', previous: null });
    expect(takeover).toMatchObject({ reason: 'takeover', previous: start!.instance });
    expect(resume).toMatchObject({ reason: 'resume', instance: start!.instance, previous: takeover!.instance });
    expect(resume!.lease).toBeGreaterThan(takeover!.lease);
    const audit = await c.audit(0, chainA);
    expect(audit.stdout, audit.stderr).toMatch(new RegExp(`^OK chain ${chainA}: ${records.length} records`));
    expect(audit.code).toBe(0);
  });
});
