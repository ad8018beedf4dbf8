/**
 * @module transfer/epoch-ledger
 * An epoch's state as its chain's records tell it: committed at the commit
 * record's seq with its expiry, one nonce per draw of each outcome in it,
 * revealed at the reveal's seq. That is every column of an epoch row but
 * the sealed seed, so export writes rows that agree with the records it
 * wrote (even while the service goes on drawing), and import refuses rows
 * that do not: an epoch row behind its records would hand out nonces again.
 */

import type { CommitBody, LogRecord, OutcomeBody, RevealBody } from '@rngseal/verifier';
import type { EpochRow } from '../store/log-store.js';

export type EpochProgress = Omit<EpochRow, 'sealedSeed'>;

export class EpochLedger {
  readonly #epochs = new Map<string, EpochProgress>();

  /** Follows the next record of the chain, in seq order. */
  push(record: LogRecord): void {
    if (record.type === 'commit') {
      const body = record.body as unknown as CommitBody;
      this.#epochs.set(body.epoch, { id: body.epoch, chain: record.chain, commitSeq: record.seq, nextNonce: 0, expires: body.expires ?? null, revealSeq: null });
    } else if (record.type === 'outcome') {
      const body = record.body as unknown as OutcomeBody;
      const epoch = body.epoch === null ? undefined : this.#epochs.get(body.epoch);
      if (epoch && Array.isArray(body.draws)) epoch.nextNonce += body.draws.length;
    } else if (record.type === 'reveal') {
      const epoch = this.#epochs.get((record.body as unknown as RevealBody).epoch);
      if (epoch) epoch.revealSeq = record.seq;
    }
  }

  /** Every epoch committed so far, in commit order. */
  epochs(): EpochProgress[] {
    return [...this.#epochs.values()].map((e) => ({ ...e }));
  }
}
