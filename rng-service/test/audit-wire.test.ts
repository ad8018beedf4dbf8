/**
 * audit/wire: a chunk's facts survive the trip from a worker thread to the
 * main thread (encode, structured clone with its buffers transferred,
 * decode) unchanged, whether they fit the columns or not.
 */

import { describe, expect, it } from 'vitest';
import { VerifyError, type OutcomeFacts, type RecordFacts } from '@rngseal/verifier';
import { decodeFacts, encodeFacts, transferList } from '../src/audit/wire.js';

const keys = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
const keyIndex = new Map(keys.map((k, i) => [k, i]));
const hex = (n: number) => n.toString(16).padStart(64, '0');

function facts(seq: number, changes: Partial<RecordFacts> = {}): RecordFacts {
  return {
    seq, chain: 'chain-a', prev: hex(seq), hash: hex(seq + 1), time: 1_700_000_000_000 + seq, type: 'outcome', key: 'aaaaaaaaaaaaaaaa',
    leaf: new Uint8Array(32).fill(seq), checkedUnder: keys[0]!, signatureError: null, record: null, outcome: null, ...changes,
  };
}

function outcome(changes: Partial<OutcomeFacts> = {}): OutcomeFacts {
  return { epoch: 'e1', draws: 2, firstNonce: 4, nonceGap: -1, clientSeedError: null, drawsError: null, recomputed: true, held: null, ...changes };
}

/** Worker → main as the pool sends it. */
function roundTrip(all: RecordFacts[]): RecordFacts[] {
  const wire = encodeFacts(all, keyIndex);
  return decodeFacts(structuredClone(wire, { transfer: transferList(wire) }), keys);
}

describe('audit wire', () => {
  it('carries plain outcome records in columns, and everything else beside them, unchanged', () => {
    const boot = { v: 1, chain: 'chain-a', seq: 0, time: 1, type: 'boot', prev: hex(0), key: 'k', body: { publicKey: 'ab' }, hash: hex(1), sig: 'cd' } as const;
    const all = [
      facts(0, { type: 'boot', record: boot as never, outcome: null }),
      facts(1, { outcome: outcome({ epoch: null, firstNonce: undefined }) }),
      facts(2, { outcome: outcome() }),
      facts(3, { outcome: outcome({ epoch: 'e2', firstNonce: 0, recomputed: false, held: { clientSeed: 'player-12', draws: [{ mapping: 'dice@1', params: { count: 1, sides: 6 }, nonce: 0, result: [3] }] } }) }),
      facts(4, { outcome: outcome({ epoch: 'e1', firstNonce: 6, nonceGap: 1 }) }),
      facts(5, { prev: hex(99), outcome: outcome({ epoch: 17, firstNonce: 'x', draws: 0 }) }),
      facts(6, { chain: 'chain-b', key: 'bbbbbbbbbbbbbbbb', checkedUnder: keys[1]! }),
      facts(7, { checkedUnder: new Uint8Array(32).fill(9), signatureError: new VerifyError('SIGNATURE', 'signature does not verify under key k', 7) }),
      facts(8, { checkedUnder: null, type: 'checkpoint' }),
      facts(9, { outcome: outcome({ clientSeedError: new VerifyError('OUTCOME', 'clientSeed is trivial', 9), drawsError: new VerifyError('FORMAT', 'entropy: expected 32 bytes', 9) }) }),
      facts(10, { seq: 2 ** 53 - 1, time: 0, outcome: outcome({ firstNonce: 2 ** 53 - 2, epoch: '' }) }),
    ];
    const back = roundTrip(all);
    expect(back.length).toBe(all.length);
    back.forEach((b, i) => {
      const { signatureError, outcome: o, leaf, checkedUnder, ...plain } = all[i]!;
      expect({ ...b, signatureError: undefined, outcome: undefined, leaf: undefined, checkedUnder: undefined }, `record ${i}`)
        .toEqual({ ...plain, signatureError: undefined, outcome: undefined, leaf: undefined, checkedUnder: undefined });
      expect([...b.leaf]).toEqual([...leaf]);
      expect(b.checkedUnder === null ? null : [...b.checkedUnder]).toEqual(checkedUnder === null ? null : [...checkedUnder]);
      expect(errorOf(b.signatureError)).toEqual(errorOf(signatureError));
      if (!o) return expect(b.outcome).toBeNull();
      expect({ ...b.outcome!, clientSeedError: errorOf(b.outcome!.clientSeedError), drawsError: errorOf(b.outcome!.drawsError) })
        .toEqual({ ...o, clientSeedError: errorOf(o.clientSeedError), drawsError: errorOf(o.drawsError) });
    });
    // A trusted key comes back as the main thread's own array (the auditor compares keys by identity first).
    expect(back[0]!.checkedUnder).toBe(keys[0]);
    expect(back[6]!.checkedUnder).toBe(keys[1]);
  });

  it('an empty chunk', () => {
    expect(roundTrip([])).toEqual([]);
  });
});

function errorOf(err: VerifyError | null): unknown {
  return err && { check: err.check, message: err.message, seq: err.seq, instance: err instanceof VerifyError };
}
