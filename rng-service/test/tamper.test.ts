/**
 * Tampering with the stored log: SQLite itself refuses UPDATE/DELETE of
 * records and tree hashes, and when an attacker with file access works
 * around that (drops a trigger, even re-signs with the key file), start-up
 * verification refuses to extend the chain and the audit fails, each naming
 * the tampered seq.
 */

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalize, formatCheckpoint, leafHash, parseRecord, recordHash, signingMessage, toBase64, toHex, utf8, type LogRecord,
} from '@rngseal/verifier';
import { loadKeyFile } from '../src/signer.js';
import { frontierIndexes } from '../src/tlog/frontier.js';
import { noteSignerForKey, signNote } from '../src/tlog/note-signer.js';
import { storedHashesForRecord, storedHashIndex } from '../src/tlog/tree.js';
import { BIN, runCli, spawnService, tempDir } from './helper.js';

const SQLITE = '/usr/bin/sqlite3';

function sqlite(dir: string, sql: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(SQLITE, [join(dir, 'rngseal.db'), sql], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Stored record texts in seq order, read with the sqlite3 CLI (works while the service refuses to start). */
function storedTexts(dir: string): string[] {
  const r = sqlite(dir, 'SELECT record FROM records ORDER BY seq');
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}

function rowCount(dir: string): number {
  return Number(sqlite(dir, 'SELECT count(*) FROM records').stdout.trim());
}

/**
 * Runs `rngseal serve` and reports how it ended: refused (exited) or started
 * (then stopped with SIGTERM). Never hangs on a service that unexpectedly starts.
 */
function serveOnce(dir: string, args: string[] = []): Promise<{ started: boolean; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dir, '--port', '0', '--log-level', 'warn', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rngseal serve neither started nor exited: ${stderr}`));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!started && stderr.includes('rngseal: serving chain')) {
        started = true;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ started, code, stderr });
    });
  });
}

describe('tampering with the stored log', () => {
  let pristine: string;
  let publicKey: string;
  let records: LogRecord[];
  /** seqs of direct and epoch outcome records, in order */
  let direct: number[];
  let inEpoch: number[];
  /** seqs of the checkpoint records */
  let checkpoints: number[];

  beforeAll(async () => {
    pristine = tempDir('rngseal-tamper-');
    const svc = await spawnService(pristine, ['--checkpoint-every', '5', '--checkpoint-ms', '3600000']);
    const token = readFileSync(join(pristine, 'game-server.token'), 'utf8').trim();
    const post = async (path: string, body: unknown) => {
      const res = await fetch(svc.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<any>;
    };
    const dice = (id: string) => post('/v1/outcome', { requestId: id, mapping: 'dice', params: { count: 2, sides: 6 } });
    for (let i = 0; i < 4; i++) await dice(`d-a${i}`);
    const { epoch } = await post('/v1/epochs', { requestId: 'epoch-1' });
    for (let i = 0; i < 4; i++) {
      await post('/v1/outcomes', { requestId: `e-${i}`, epoch, clientSeed: `player-seed-${i}`, draws: [{ mapping: 'dice', params: { count: 2, sides: 6 } }] });
      await dice(`d-b${i}`);
    }
    await post(`/v1/epochs/${epoch}/reveal`, {});
    for (let i = 0; i < 3; i++) await dice(`d-c${i}`);
    publicKey = ((await (await fetch(`${svc.url}/v1/keys`)).json()) as Array<{ publicKey: string }>)[0]!.publicKey;
    svc.child.kill('SIGTERM');
    expect(await svc.exited, 'graceful stop exits 0').toBe(0);

    records = storedTexts(pristine).map((t) => parseRecord(t));
    records.forEach((r, i) => expect(r.seq).toBe(i));
    const outcomes = records.filter((r) => r.type === 'outcome');
    direct = outcomes.filter((r) => (r.body as any).epoch === null).map((r) => r.seq);
    inEpoch = outcomes.filter((r) => (r.body as any).epoch !== null).map((r) => r.seq);
    expect(direct).toHaveLength(11);
    expect(inEpoch).toHaveLength(4);
    expect(records.map((r) => r.type).filter((t) => t === 'reveal')).toHaveLength(1);
    checkpoints = records.filter((r) => r.type === 'checkpoint').map((r) => r.seq);
    expect(checkpoints).toEqual([5, 11, 17]);
  });

  /** A fresh copy of the untampered data directory. */
  const copy = () => {
    const dir = tempDir('rngseal-tamper-case-');
    cpSync(pristine, dir, { recursive: true });
    return dir;
  };

  /** Exports the DB with the sqlite3 CLI (the service will not start) and audits it. */
  const auditDb = async (dir: string) => {
    const file = join(dir, 'export.ndjson');
    writeFileSync(file, storedTexts(dir).map((t) => `${t}\n`).join(''));
    return runCli(['audit', file, '--key', publicKey]);
  };

  /** Both start-up checks refuse naming `pattern`'s seq, and neither appended to the tampered chain. */
  const expectStartRefused = async (dir: string, pattern: RegExp) => {
    const before = rowCount(dir);
    for (const args of [['--verify-full'], []]) {
      const r = await serveOnce(dir, args);
      expect(r.started, `serve ${args.join(' ')} must refuse: ${r.stderr}`).toBe(false);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(pattern);
    }
    expect(rowCount(dir)).toBe(before);
  };

  it('the untampered copy audits OK and starts with --verify-full', async () => {
    const dir = copy();
    const audit = await auditDb(dir);
    expect(audit.stdout, audit.stderr).toMatch(/^OK chain /);
    expect(audit.stdout).toContain('1 epochs revealed and matched');
    expect(audit.stdout).toContain('3 checkpoints of rngseal/');
    expect(audit.code).toBe(0);
    const r = await serveOnce(dir, ['--verify-full']);
    expect(r.started, r.stderr).toBe(true);
    expect(r.code).toBe(0);
  });

  it('SQLite refuses UPDATE and DELETE of stored tree hashes (append-only triggers)', () => {
    const dir = copy();
    const update = sqlite(dir, 'UPDATE tree_hashes SET hash = randomblob(32) WHERE idx = 3');
    expect(update.status).not.toBe(0);
    expect(update.stderr).toMatch(/append-only/);
    const del = sqlite(dir, 'DELETE FROM tree_hashes WHERE idx = 3');
    expect(del.status).not.toBe(0);
    expect(del.stderr).toMatch(/append-only/);
  });

  it('SQLite refuses UPDATE and DELETE of records (append-only triggers)', () => {
    const dir = copy();
    const texts = storedTexts(dir);
    const update = sqlite(dir, `UPDATE records SET record = replace(record, '"result":[', '"result":[9') WHERE seq = ${direct[5]}`);
    expect(update.status).not.toBe(0);
    expect(update.stderr).toMatch(/append-only/);
    const del = sqlite(dir, `DELETE FROM records WHERE seq = ${direct[5]}`);
    expect(del.status).not.toBe(0);
    expect(del.stderr).toMatch(/append-only/);
    expect(storedTexts(dir)).toEqual(texts);
  });

  it('one changed byte in a stored record (trigger dropped): start and audit refuse naming its seq', async () => {
    const dir = copy();
    const K = direct[5]!; // a direct dice outcome in the middle of the chain
    expect(K).toBeGreaterThan(0);
    expect(K).toBeLessThan(records.length - 1);
    const original = storedTexts(dir)[K]!;
    const m = /"result":\[(\d),/.exec(original)!;
    expect(original.split(m[0]).length - 1, 'the replaced text is unique in the record').toBe(1);
    const digit = Number(m[1]);
    const replacement = `"result":[${(digit % 6) + 1},`;
    const r = sqlite(dir, `DROP TRIGGER records_no_update; UPDATE records SET record = replace(record, ${quote(m[0])}, ${quote(replacement)}) WHERE seq = ${K};`);
    expect(r.status, r.stderr).toBe(0);

    const tampered = storedTexts(dir);
    expect(tampered.length).toBe(records.length);
    expect(tampered[K]!.length).toBe(original.length);
    const diff = [...original].flatMap((c, i) => (tampered[K]![i] !== c ? [i] : []));
    expect(diff, 'exactly one byte changed').toHaveLength(1);
    const untouched = storedTexts(pristine);
    tampered.forEach((t, i) => i !== K && expect(t).toBe(untouched[i]));

    await expectStartRefused(dir, new RegExp(`record ${K}: hash does not match`));
    // K as the oldest record of the default tail check also refuses.
    const tail = await serveOnce(dir, ['--verify-tail', String(records.length - K)]);
    expect(tail.started).toBe(false);
    expect(tail.stderr).toMatch(new RegExp(`record ${K}:`));

    const audit = await auditDb(dir);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(new RegExp(`^FAILED HASH: record ${K}: `));
  });

  it('a canonical rewrite of a result with its hash recomputed: the signature catches it', async () => {
    const dir = copy();
    const K = inEpoch[2]!; // an epoch outcome in the middle of the chain
    const record = parseRecord(storedTexts(dir)[K]!);
    const body = structuredClone(record.body) as any;
    body.draws[0].result[0] = (body.draws[0].result[0] % 6) + 1;
    const forged = { ...record, body };
    forged.hash = toHex(recordHash(forged));
    const text = canonicalize(forged as any);
    expect(parseRecord(text).hash, 'valid, canonical, self-consistent hash').toBe(forged.hash);
    expect(forged.hash).not.toBe(record.hash);
    const r = sqlite(dir, `DROP TRIGGER records_no_update; UPDATE records SET record = ${quote(text)}, hash = ${quote(forged.hash)} WHERE seq = ${K};`);
    expect(r.status, r.stderr).toBe(0);
    expect(storedTexts(dir)[K]).toBe(text);

    await expectStartRefused(dir, new RegExp(`record ${K}: signature does not verify`));
    const audit = await auditDb(dir);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(new RegExp(`^FAILED SIGNATURE: record ${K}: `));
  });

  it('a deleted row (trigger dropped): start and audit refuse naming the missing seq', async () => {
    const dir = copy();
    const K = direct[7]!;
    expect(K).toBeLessThan(records.length - 1);
    const r = sqlite(dir, `DROP TRIGGER records_no_delete; DELETE FROM records WHERE seq = ${K};`);
    expect(r.status, r.stderr).toBe(0);
    expect(rowCount(dir)).toBe(records.length - 1);

    await expectStartRefused(dir, new RegExp(`record ${K}: record missing`));
    const audit = await auditDb(dir);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(new RegExp(`^FAILED SEQ: record ${K + 1}: expected seq ${K}\\b`));
  });

  /** Rewrites stored tree hash `index` with random bytes, working around the trigger. */
  const rewriteTreeHash = (dir: string, index: number) => {
    const r = sqlite(dir, `DROP TRIGGER tree_hashes_no_update; UPDATE tree_hashes SET hash = randomblob(32) WHERE idx = ${index};`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
  };

  it("a stored leaf hash rewritten (trigger dropped): start refuses naming its record", async () => {
    const dir = copy();
    const K = direct[5]!;
    rewriteTreeHash(dir, storedHashIndex(0, K));
    await expectStartRefused(dir, new RegExp(`record ${K}: the stored Merkle tree leaf hash is not the hash of this record`));
  });

  it("a stored subtree hash under the last checkpoint rewritten: start refuses naming the checkpoint", async () => {
    const dir = copy();
    const C = checkpoints.at(-1)!;
    rewriteTreeHash(dir, frontierIndexes(C)[0]!); // the largest subtree its root folds in
    await expectStartRefused(dir, new RegExp(`record ${C}: checkpoint root is not the stored Merkle tree's root at size ${C}`));
  });

  it('a stored subtree hash after the last checkpoint rewritten: start refuses naming the record that wrote it', async () => {
    const dir = copy();
    const C = checkpoints.at(-1)!;
    // The last record after the checkpoint that closes a subtree (an odd seq), and that subtree's hash.
    const L = records.map((r) => r.seq).filter((seq) => seq > C && seq % 2 === 1).at(-1)!;
    rewriteTreeHash(dir, storedHashIndex(1, (L - 1) / 2));
    await expectStartRefused(dir, new RegExp(`record ${L}: stored Merkle tree hash \\d+ is not the one this record gives`));
  });

  it('a stored checkpoint with a changed root: start and audit refuse naming its seq', async () => {
    const dir = copy();
    const C = checkpoints.at(-1)!;
    const text = storedTexts(dir)[C]!;
    const root = (parseRecord(text).body as { root: string }).root;
    const other = toBase64(new Uint8Array(32).fill(7));
    const r = sqlite(dir, `DROP TRIGGER records_no_update; UPDATE records SET record = replace(record, ${quote(`"root":"${root}"`)}, ${quote(`"root":"${other}"`)}) WHERE seq = ${C};`);
    expect(r.status, r.stderr).toBe(0);
    await expectStartRefused(dir, new RegExp(`record ${C}: hash does not match`));
    const audit = await auditDb(dir);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(new RegExp(`^FAILED HASH: record ${C}: `));
  });

  it('a forged checkpoint root, note and record re-signed with the key file and the chain after it re-linked: start and audit refuse naming its seq', async () => {
    const dir = copy();
    const C = checkpoints[1]!; // a checkpoint in the middle: the later ones must not hide it
    const signer = loadKeyFile(join(dir, 'signing-key.pem'));
    const forged = storedTexts(dir).map((t) => parseRecord(t));
    const body = forged[C]!.body as { size: number; root: string; note: string };
    const origin = body.note.slice(0, body.note.indexOf('\n'));
    // The root of one record fewer: a real root of this log, for the wrong size.
    const root = (parseRecord(storedTexts(dir)[checkpoints[0]!]!).body as { root: string }).root;
    const rootBytes = Buffer.from(root, 'base64');
    const note = signNote(formatCheckpoint({ origin, size: C, root: rootBytes }), [noteSignerForKey(origin, signer)]);
    forged[C] = { ...forged[C]!, body: { size: C, root, note } };
    const sql = ['DROP TRIGGER records_no_update;', 'BEGIN;'];
    for (let seq = C; seq < forged.length; seq++) {
      const r = forged[seq]!;
      if (seq > C) r.prev = forged[seq - 1]!.hash;
      r.hash = toHex(recordHash(r));
      r.sig = toHex(signer.sign(signingMessage(recordHash(r))));
      sql.push(`UPDATE records SET record = ${quote(canonicalize(r as any))}, hash = ${quote(r.hash)} WHERE seq = ${seq};`);
    }
    sql.push('COMMIT;');
    await signer.close();
    const r = sqlite(dir, sql.join('\n'));
    expect(r.status, r.stderr).toBe(0);

    const pattern = new RegExp(`record ${C}: checkpoint root is not the root of the ${C} records before it`);
    await expectStartRefused(dir, pattern);
    // A tail starting after the first checkpoint recomputes on top of the stored tree.
    const tail = await serveOnce(dir, ['--verify-tail', String(forged.length - (checkpoints[0]! + 2))]);
    expect(tail.started).toBe(false);
    expect(tail.stderr).toMatch(pattern);
    // A tail after the forged checkpoint still refuses: the re-linked records are not the stored tree's leaves.
    const late = await serveOnce(dir, ['--verify-tail', String(forged.length - checkpoints.at(-1)!)]);
    expect(late.started).toBe(false);
    expect(late.stderr).toMatch(new RegExp(`record ${checkpoints.at(-1)}: `));

    const audit = await auditDb(dir);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toMatch(new RegExp(`^FAILED CHECKPOINT: ${pattern.source}`));
  });

  /** Stored tree hashes, in index order, as hex (read with the sqlite3 CLI). */
  const storedTree = (dir: string): string[] => {
    const r = sqlite(dir, 'SELECT idx, lower(hex(hash)) FROM tree_hashes ORDER BY idx');
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter((l) => l.length > 0).map((l, i) => {
      const [idx, hash] = l.split('|');
      expect(Number(idx)).toBe(i);
      return hash!;
    });
  };

  /** The tree the stored records' texts give. */
  const recomputedTree = async (dir: string): Promise<string[]> => {
    const memory = { hashes: [] as Uint8Array[], readHashes: (ix: number[]) => ix.map((i) => memory.hashes[i]!) };
    for (const [n, text] of storedTexts(dir).entries()) memory.hashes.push(...(await storedHashesForRecord(n, leafHash(utf8(text)), memory)));
    return memory.hashes.map(toHex);
  };

  it('a store from before the tree was kept (hashes gone), or an interrupted backfill: start builds the tree from the records', async () => {
    for (const keep of [0, storedHashIndex(0, 9)]) {
      const dir = copy();
      const r = sqlite(dir, `DROP TRIGGER tree_hashes_no_delete; DELETE FROM tree_hashes WHERE idx >= ${keep};`);
      expect(r.status, r.stderr).toBe(0);
      expect(storedTree(dir)).toHaveLength(keep);
      const started = await serveOnce(dir, ['--verify-full']);
      expect(started.started, started.stderr).toBe(true);
      expect(started.stderr).toContain(`built the stored Merkle tree of ${keep === 0 ? records.length : records.length - 9} records`);
      expect(storedTree(dir)).toEqual(await recomputedTree(dir));
      expect(rowCount(dir)).toBeGreaterThan(records.length); // it appended its boot record on the rebuilt tree
    }
  });
});

