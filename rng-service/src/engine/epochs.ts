/**
 * @module engine/epochs
 * Open seed epochs of a chain, held by its writer. Seeds live in memory in the
 * clear only while their epoch is open, and in the store only sealed.
 */

import { commitmentOf } from '@rngseal/verifier';
import type { SeedSealer } from '../seal.js';
import type { EpochRow, LogStore } from '../store/log-store.js';

export interface EpochState {
  id: string;
  chain: string;
  seed: Uint8Array;
  sealedSeed: Uint8Array;
  commitment: string;
  commitSeq: number;
  nextNonce: number;
  expires: number | null;
  revealSeq: number | null;
}

export class EpochBook {
  #open = new Map<string, EpochState>();

  constructor(
    private readonly store: LogStore,
    private readonly sealer: SeedSealer,
  ) {}

  /** Replaces the in-memory view with the store's open epochs of `chain`. */
  async load(chain: string): Promise<void> {
    const rows = await this.store.openEpochs(chain);
    this.#open = new Map(rows.map((row) => [row.id, this.#fromRow(row)]));
  }

  get(id: string): EpochState | undefined {
    return this.#open.get(id);
  }

  open(): EpochState[] {
    return [...this.#open.values()];
  }

  /** Creates the state of a new epoch around a freshly drawn seed. */
  create(id: string, chain: string, seed: Uint8Array, commitSeq: number, expires: number | null): EpochState {
    const sealedSeed = this.sealer.seal(id, seed);
    return { id, chain, seed, sealedSeed, commitment: commitmentOf(seed), commitSeq, nextNonce: 0, expires, revealSeq: null };
  }

  /** Applies the states of a committed batch. */
  commit(states: Iterable<EpochState>): void {
    for (const e of states) {
      if (e.revealSeq === null) this.#open.set(e.id, e);
      else this.#open.delete(e.id);
    }
  }

  toRow(e: EpochState): EpochRow {
    const { id, chain, sealedSeed, commitSeq, nextNonce, expires, revealSeq } = e;
    return { id, chain, sealedSeed, commitSeq, nextNonce, expires, revealSeq };
  }

  #fromRow(row: EpochRow): EpochState {
    const seed = this.sealer.open(row.id, row.sealedSeed);
    return { ...row, seed, commitment: commitmentOf(seed) };
  }
}
