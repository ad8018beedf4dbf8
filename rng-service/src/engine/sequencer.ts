/**
 * @module engine/sequencer
 * The single writer of one chain. Requests queue here; each turn of the loop
 * takes everything queued (up to maxBatch), builds and signs the records in
 * seq order, and commits them in one store transaction (group commit).
 *
 * Crash ordering, step by step:
 *  1. build + sign in memory: a crash loses nothing acknowledged; the
 *     callers get no answer and retry with their request ids.
 *  2. store.append (one transaction): either the whole batch is durable or
 *     none of it; a crash here is step 1 or step 3.
 *  3. only after append returns are head, epoch state and the callers'
 *     promises advanced/resolved, so no response precedes durability.
 * If append fails, the batch is rejected (503) and the head and epochs are
 * reloaded from the store before the next batch: a commit whose
 * acknowledgement was lost is then found by the retry's request id.
 */

import { createHash } from 'node:crypto';
import { canonicalize, GENESIS_PREV, RECORD_VERSION, signingMessage, toHex, type Body, type LogRecord, type RecordType } from '@rngseal/verifier';
import type { Entropy } from '../entropy/entropy.js';
import type { Signer } from '../signer.js';
import type { EpochRow, LogStore, StoredRecord } from '../store/log-store.js';
import { StoreUnavailableError } from '../store/log-store.js';
import type { EpochState, EpochBook } from './epochs.js';

export interface Built {
  type: RecordType;
  body: Body;
  requestId?: string;
  requestDigest?: string;
}

/** What a builder sees: the seq and time its record will get, entropy, and staged epoch state. */
export interface BuildContext {
  readonly seq: number;
  readonly time: number;
  readonly entropy: Entropy;
  /** A mutable copy of an epoch; changes are kept only if the batch commits. */
  epoch(id: string): EpochState | undefined;
  addEpoch(epoch: EpochState): void;
}

/** Builds one or more records (several are appended together, atomically). */
export type Builder = (ctx: BuildContext) => Built | Built[];

export interface Appended {
  record: LogRecord;
  stored: StoredRecord;
}

interface Job {
  build: Builder;
  resolve: (records: Appended[]) => void;
  reject: (err: unknown) => void;
}

export interface Head {
  seq: number;
  hash: string;
  time: number;
}

export interface SequencerEvents {
  onBatch?: (records: number, ms: number) => void;
}

export class Sequencer {
  #queue: Job[] = [];
  #running: Promise<void> | null = null;
  #head: Head | null = null;
  #stale = true;
  #closed = false;

  constructor(
    readonly chain: string,
    private readonly store: LogStore,
    private readonly signer: Signer,
    private readonly entropy: Entropy,
    private readonly epochs: EpochBook,
    private readonly events: SequencerEvents = {},
    private readonly maxBatch = 4096,
  ) {}

  get head(): Head | null {
    return this.#head;
  }

  /** Appends the builder's records; resolves only once they are durable. */
  submit(build: Builder): Promise<Appended[]> {
    if (this.#closed) return Promise.reject(new StoreUnavailableError('the service is shutting down'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ build, resolve, reject });
      this.#running ??= this.#drain().finally(() => (this.#running = null));
    });
  }

  /** Loads the head and open epochs from the store. */
  async load(): Promise<void> {
    const head = await this.store.head(this.chain);
    this.#head = head ? { seq: head.seq, hash: head.hash, time: (JSON.parse(head.text) as LogRecord).time } : null;
    await this.epochs.load(this.chain);
    this.#stale = false;
  }

  /** Stops taking work and waits for the queue to drain. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const jobs = this.#queue.splice(0, this.maxBatch);
      try {
        if (this.#stale) await this.load();
      } catch (err) {
        for (const job of jobs) job.reject(err);
        continue;
      }
      await this.#commit(jobs);
    }
  }

  async #commit(jobs: Job[]): Promise<void> {
    const started = performance.now();
    const staged = new Map<string, EpochState>();
    const done: Array<{ job: Job; records: Appended[] }> = [];
    let head = this.#head;
    for (const job of jobs) {
      const stagedHere = new Map(staged);
      let built: Built[];
      try {
        built = [job.build(this.#context(head, stagedHere))].flat();
      } catch (err) {
        job.reject(err); // nothing of this job is kept: its epoch changes are dropped
        continue;
      }
      for (const [id, e] of stagedHere) staged.set(id, e);
      const time = jobTime(head);
      const records = built.map((b) => {
        const appended = this.#seal(b, head, time);
        head = { seq: appended.record.seq, hash: appended.record.hash, time: appended.record.time };
        return appended;
      });
      done.push({ job, records });
    }
    if (done.length === 0) return;
    const stored = done.flatMap((d) => d.records.map((r) => r.stored));
    const epochRows: EpochRow[] = [...staged.values()].map((e) => this.epochs.toRow(e));
    try {
      await this.store.append({ chain: this.chain, records: stored, epochs: epochRows });
    } catch (err) {
      this.#stale = true;
      const failure = err instanceof StoreUnavailableError ? err : new StoreUnavailableError('store append failed', { cause: err });
      for (const d of done) d.job.reject(failure);
      return;
    }
    this.#head = head;
    this.epochs.commit(staged.values());
    this.events.onBatch?.(stored.length, performance.now() - started);
    for (const d of done) d.job.resolve(d.records);
  }

  #context(head: Head | null, staged: Map<string, EpochState>): BuildContext {
    return {
      seq: head ? head.seq + 1 : 0,
      time: jobTime(head),
      entropy: this.entropy,
      epoch: (id) => {
        const found = staged.get(id) ?? this.epochs.get(id);
        if (!found) return undefined;
        const copy = { ...found };
        staged.set(id, copy);
        return copy;
      },
      addEpoch: (epoch) => void staged.set(epoch.id, epoch),
    };
  }

  #seal(built: Built, head: Head | null, time: number): Appended {
    const unsigned = {
      v: RECORD_VERSION,
      chain: this.chain,
      seq: head ? head.seq + 1 : 0,
      time,
      type: built.type,
      prev: head ? head.hash : GENESIS_PREV,
      key: this.signer.keyId,
      body: built.body,
    };
    const hash = createHash('sha256').update(canonicalize(unsigned)).digest();
    const sig = this.signer.sign(signingMessage(hash));
    const record: LogRecord = { ...unsigned, hash: hash.toString('hex'), sig: toHex(sig) };
    const stored: StoredRecord = {
      chain: this.chain,
      seq: record.seq,
      type: record.type,
      requestId: built.requestId ?? null,
      requestDigest: built.requestDigest ?? null,
      hash: record.hash,
      text: canonicalize(record),
    };
    return { record, stored };
  }
}

/** Record time: wall clock in ms, never earlier than the previous record's. */
function jobTime(head: Head | null): number {
  return Math.max(Date.now(), head?.time ?? 0);
}
