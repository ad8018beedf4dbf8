/**
 * @module cluster/chain-writer
 * Writing one chain: its Sequencer, its open epochs and the Engine over
 * them. An instance has one writer for its own chain and, where instances
 * share a PostgreSQL store, one more for each chain it took over
 * (docs/scale.md). Each run of a writer on a chain starts with a boot
 * record, so the log itself says who wrote which records.
 */

import { toHex, type Json } from '@rngseal/verifier';
import { checkStoredChain } from '../chain-check.js';
import { configDigest, type Config } from '../config.js';
import { Engine } from '../engine/engine.js';
import { EpochBook } from '../engine/epochs.js';
import { Sequencer, type SequencerEvents } from '../engine/sequencer.js';
import type { Entropy } from '../entropy/entropy.js';
import type { SeedSealer } from '../seal.js';
import type { Signer } from '../signer.js';
import { softwareIdentity } from '../software.js';
import type { LeaseGrant, LogStore } from '../store/log-store.js';
import { checkpointSigner, type CheckpointSigner } from '../tlog/checkpoint-signer.js';

/** What every writer of this instance shares. */
export interface WriterContext {
  store: LogStore;
  signer: Signer;
  entropy: Entropy;
  /** Seeds of open epochs are sealed under a key derived from the signing key, so any instance of a deployment opens them. */
  sealer: SeedSealer;
  config: Config;
  events: SequencerEvents;
}

/** Why a writer starts a run on a chain (the boot record's `writer.reason`). */
export type WriterReason = 'start' | 'takeover' | 'resume';

export class ChainWriter {
  readonly epochs: EpochBook;
  readonly sequencer: Sequencer;
  readonly engine: Engine;
  readonly checkpoints: CheckpointSigner;

  constructor(
    readonly chain: string,
    /** The chain's checkpoint origin (docs/PROTOCOL.md §8.5). */
    readonly origin: string,
    private readonly ctx: WriterContext,
  ) {
    const { store, signer, entropy, config } = ctx;
    this.epochs = new EpochBook(store, ctx.sealer);
    this.checkpoints = checkpointSigner(origin, signer);
    this.sequencer = new Sequencer(chain, store, signer, entropy, this.epochs, ctx.events, config.maxBatch, {
      every: config.checkpointEvery,
      body: this.checkpoints.body,
    });
    this.engine = new Engine(store, this.sequencer, this.epochs);
  }

  /**
   * Verifies the stored chain before this instance extends it: the tail's
   * links and signatures, and the stored Merkle tree against the last
   * checkpoint. @throws VerifyError naming the seq
   */
  async verify(full = false): Promise<void> {
    const { store, config } = this.ctx;
    await checkStoredChain(store, this.chain, { full, tail: config.verifyTail, origin: this.origin });
  }

  /**
   * Loads the chain (head, tree, open epochs) and appends the boot record
   * that starts this run. `lease`: the lease it writes under, where
   * instances share the store; its holder and token go into the record.
   */
  async begin(lease: LeaseGrant | null, reason: WriterReason): Promise<void> {
    const body = bootBody(this.ctx, lease && { instance: lease.holder, lease: lease.token, previous: lease.previous, reason });
    const boot = () => ({ type: 'boot' as const, body });
    if (lease) {
      await this.sequencer.writeUnder(lease, boot);
      return;
    }
    await this.sequencer.load();
    await this.sequencer.submit(boot);
  }
}

function bootBody(ctx: WriterContext, writer: Record<string, Json> | null): Record<string, Json> {
  return {
    software: { ...softwareIdentity() },
    config: configDigest(ctx.config),
    sources: ctx.entropy.sources(),
    publicKey: toHex(ctx.signer.publicKey),
    ...(writer ? { writer } : {}),
  };
}
