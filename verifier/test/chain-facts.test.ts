/**
 * ChainAuditor split in two (record-facts.ts): records examined alone, as
 * a worker thread does — with its own key table and the seeds of a first
 * pass — then accepted in seq order give the verdict of push(), check and
 * seq, on a good log and on each kind of tampering. And the checks that only
 * a two-pass audit needs: a reveal must carry the seed its outcomes were
 * recomputed with, a reveal the first pass missed fails instead of leaving
 * outcomes unchecked, and a record examined under another key than the
 * trusted one for its key id fails KEY.
 */

import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  ChainAuditor, commitmentOf, computeDraws, encodeRecord, examineRecord, GENESIS_PREV, keyId, nobleHashing, nobleMac, nobleVerify,
  recordHash, signingMessage, toHex, VerifyError, type AuditOptions, type Body, type DrawSpec, type ExamineOptions, type LogRecord,
} from '../src/index.js';

const signingSeed = new Uint8Array(32).fill(9);
const publicKey = ed25519.getPublicKey(signingSeed);
const otherKey = ed25519.getPublicKey(new Uint8Array(32).fill(10));
const epochSeed = (i: number) => new Uint8Array(32).fill(100 + i);
const SPECS: DrawSpec[] = [
  { mapping: 'shuffle@1', params: { n: 10 } },
  { mapping: 'dice@1', params: { count: 2, sides: 6 } },
  { mapping: 'range@1', params: { min: 1, max: 1000 } },
];

type Tweak = (record: LogRecord) => void;

/**
 * boot, two epochs (commit, three seeded outcomes, reveal) with direct draws
 * between, and an epoch left open; `tweaks[seq]` changes a record's body
 * before it is signed (so only the rules, not the signature, catch it).
 */
function buildLog(tweaks: Record<number, Tweak> = {}): LogRecord[] {
  const records: LogRecord[] = [];
  const append = (type: LogRecord['type'], body: Body) => {
    const unsigned = { v: 1, chain: 'c', seq: records.length, time: 5000 + records.length, type, prev: records.at(-1)?.hash ?? GENESIS_PREV, key: keyId(publicKey), body };
    const record = { ...unsigned, hash: '', sig: '' };
    tweaks[record.seq]?.(record);
    const hash = recordHash(record);
    records.push({ ...record, hash: toHex(hash), sig: toHex(ed25519.sign(signingMessage(hash), signingSeed)) });
  };
  append('boot', { software: { name: 't', version: '0', digest: '0'.repeat(64) }, config: '0'.repeat(64), sources: [], publicKey: toHex(publicKey) });
  for (const e of [0, 1, 2]) {
    const epoch = `epoch-${e}`;
    append('commit', { epoch, commitment: commitmentOf(epochSeed(e)), expires: null, request: `c${e}`, previous: null });
    let nonce = 0;
    for (let i = 0; i < 3; i++) {
      const draws = computeDraws(epochSeed(e), `player-${i}`, nonce, SPECS.slice(0, 1 + i));
      nonce += draws.length;
      append('outcome', { request: `o${e}-${i}`, epoch, clientSeed: `player-${i}`, entropy: null, draws } as unknown as Body);
      const entropy = new Uint8Array(32).fill(e * 10 + i);
      append('outcome', { request: `d${e}-${i}`, epoch: null, clientSeed: '', entropy: toHex(entropy), draws: computeDraws(entropy, '', 0, SPECS) } as unknown as Body);
    }
    if (e < 2) append('reveal', { epoch, seed: toHex(epochSeed(e)), reason: 'request', nonces: nonce });
    append('health', { source: 's', status: 'ok' });
  }
  return records;
}

/** The seeds a first pass over `records` collects. */
function revealedSeeds(records: LogRecord[]): Map<string, Uint8Array> {
  const seeds = new Map<string, Uint8Array>();
  for (const r of records) if (r.type === 'reveal') seeds.set(String(r.body.epoch), Uint8Array.from(Buffer.from(String(r.body.seed), 'hex')));
  return seeds;
}

type Verdict = string;

function verdict(run: () => ReturnType<ChainAuditor['finish']>): Verdict {
  try {
    const r = run();
    return `OK ${r.records} records, ${r.outcomes} outcomes, ${r.epochsRevealed} revealed, ${r.epochsOpen.length} open`;
  } catch (err) {
    if (err instanceof VerifyError) return `${err.check}: ${err.message}`;
    throw err;
  }
}

/** The single-threaded path: push() examines and accepts each record on this thread. */
function pushed(records: LogRecord[], options: AuditOptions = {}): Verdict {
  return verdict(() => {
    const auditor = new ChainAuditor({ keys: [publicKey], ...options });
    for (const r of records) auditor.push(r, encodeRecord(r));
    return auditor.finish();
  });
}

/** The parallel path's split: an examiner of its own (a superset of the keys, the first pass's seeds), then accept() in order. */
function accepted(records: LogRecord[], options: AuditOptions = {}, examiner: Partial<ExamineOptions> = {}): Verdict {
  const seeds = options.seeds ?? new Map();
  const keys = new Map([[keyId(otherKey), otherKey], [keyId(publicKey), Uint8Array.from(publicKey)]]);
  const examine: ExamineOptions = {
    keyFor: (id) => keys.get(id), seedFor: (e) => seeds.get(e), checkBodies: true, holdUnseeded: !options.seedsComplete,
    verify: nobleVerify, mac: nobleMac, hashing: nobleHashing, ...examiner,
  };
  const facts = records.map((r) => examineRecord(r, encodeRecord(r), examine));
  return verdict(() => {
    const auditor = new ChainAuditor({ keys: [publicKey], ...options });
    for (const f of facts) auditor.accept(f);
    return auditor.finish();
  });
}

/** The hex string with its last digit changed. */
const flipHex = (hex: string): string => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;

/** A copy of `records` with record `seq` changed after signing. */
function afterSigning(records: LogRecord[], seq: number, change: (r: LogRecord) => void): LogRecord[] {
  const copy = structuredClone(records);
  change(copy[seq]!);
  return copy;
}

describe('ChainAuditor: examine alone, accept in order', () => {
  const good = buildLog();
  const seq = (type: string, nth = 0, epoch?: unknown) => good.filter((r) => r.type === type && (epoch === undefined || r.body.epoch === epoch))[nth]!.seq;
  const seeded = seq('outcome', 1, 'epoch-1');
  const direct = seq('outcome', 2, null);
  const reveal = seq('reveal', 1);

  const cases: Array<[string, LogRecord[], RegExp]> = [
    ['a good log', good, /^OK 27 records, 18 outcomes, 2 revealed, 1 open$/],
    ['a changed byte of a direct outcome', afterSigning(good, direct, (r) => (r.body.entropy = flipHex(String(r.body.entropy)))), new RegExp(`^HASH: record ${direct}: `)],
    ['a changed signature', afterSigning(good, seeded, (r) => (r.sig = flipHex(r.sig))), new RegExp(`^SIGNATURE: record ${seeded}: `)],
    ['a broken link', buildLog({ [seeded]: (r) => (r.prev = '1'.repeat(64)) }), new RegExp(`^LINK: record ${seeded}: `)],
    ['a missing record', good.filter((r) => r.seq !== direct), new RegExp(`^SEQ: record ${direct + 1}: expected seq ${direct}$`)],
    ['a wrong seeded result, signed', buildLog({ [seeded]: (r) => ((r.body.draws as any)[0].result.reverse()) }), new RegExp(`^OUTCOME: record ${seeded}: draw 0 \\(shuffle@1`)],
    ['a wrong direct result, signed', buildLog({ [direct]: (r) => ((r.body.draws as any)[1].result = [7, 7]) }), new RegExp(`^OUTCOME: record ${direct}: draw 1 \\(dice@1`)],
    ['a skipped nonce, signed', buildLog({ [seeded]: (r) => ((r.body.draws as any)[1].nonce += 1) }), new RegExp(`^OUTCOME: record ${seeded}: draw 1: expected nonce`)],
    ['a reveal with a wrong nonce count, signed', buildLog({ [reveal]: (r) => ((r.body.nonces as number) += 1) }), new RegExp(`^REVEAL: record ${reveal}: epoch epoch-1 used 6 nonces, reveal says 7$`)],
  ];

  for (const [name, records, expected] of cases) {
    it(`${name}: the same verdict on both paths, with and without first-pass seeds`, () => {
      const seeds = revealedSeeds(records);
      const single = pushed(records, { seeds, seedsComplete: true });
      expect(single).toMatch(expected);
      expect(accepted(records, { seeds, seedsComplete: true })).toBe(single);
      expect(accepted(records)).toBe(pushed(records));
    });
  }

  it('without seeds every outcome waits for its reveal; with them the same failure comes at the outcome', () => {
    const records = buildLog({ [seeded]: (r) => ((r.body.draws as any)[0].result.reverse()) });
    // Held until the reveal, the failure still names the outcome's seq.
    expect(pushed(records)).toMatch(new RegExp(`^OUTCOME: record ${seeded}: `));
    expect(accepted(records)).toBe(pushed(records));
  });

  it('a reveal whose seed is not the first pass\'s fails REVEAL (the input changed between passes)', () => {
    const seeds = revealedSeeds(good);
    seeds.set('epoch-1', epochSeed(7));
    // Recomputed with the wrong seed, the first outcome of the epoch fails before the reveal is reached …
    expect(accepted(good, { seeds, seedsComplete: true })).toMatch(new RegExp(`^OUTCOME: record ${seq('outcome', 0, 'epoch-1')}: `));
    // … and an epoch without outcomes reaches its reveal, which names the mismatch.
    const quiet = good.filter((r) => !(r.type === 'outcome' && r.body.epoch === 'epoch-1'));
    const renumbered = relink(quiet);
    const revealSeq = renumbered.find((r) => r.type === 'reveal' && r.body.epoch === 'epoch-1')!.seq;
    expect(accepted(renumbered, { seeds, seedsComplete: true })).toMatch(new RegExp(`^REVEAL: record ${revealSeq}: seed of epoch epoch-1 is not the one the first pass read`));
  });

  it('a reveal the first pass did not see fails instead of leaving its outcomes unchecked', () => {
    const seeds = revealedSeeds(good);
    seeds.delete('epoch-1');
    expect(accepted(good, { seeds, seedsComplete: true })).toMatch(new RegExp(`^REVEAL: record ${reveal}: epoch epoch-1 is revealed, but the first pass saw no reveal of it and 3 of its outcomes were not recomputed`));
    // Without seedsComplete the outcomes are held and checked at the reveal instead.
    expect(accepted(good, { seeds })).toMatch(/^OK /);
  });

  it('a record examined under another key than the trusted one for its key id fails KEY', () => {
    const impostor = Uint8Array.from(otherKey);
    expect(accepted(good, {}, { keyFor: () => impostor })).toMatch(/^KEY: record 0: key id [0-9a-f]{16} names another public key/);
    // An examiner without the key checks a boot record under the key it announces, and no other record.
    expect(accepted(good, {}, { keyFor: () => undefined })).toMatch(/^KEY: record 1: key id /);
    expect(accepted(good, { keys: [] }, { keyFor: () => undefined })).toMatch(/^KEY: record 1: key id /);
    expect(pushed(good, { keys: [] })).toMatch(/^OK 27 records/);
  });
});

/** Records renumbered and re-signed as one chain (after some were left out). */
function relink(records: LogRecord[]): LogRecord[] {
  const out: LogRecord[] = [];
  for (const r of records) {
    const record = { ...r, seq: out.length, prev: out.at(-1)?.hash ?? GENESIS_PREV };
    const hash = recordHash(record);
    out.push({ ...record, hash: toHex(hash), sig: toHex(ed25519.sign(signingMessage(hash), signingSeed)) });
  }
  return out;
}
