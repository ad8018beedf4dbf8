/**
 * @module engine/sequencer
 * The single writer of one chain. Requests queue here; each turn of the loop
 * takes everything queued (up to maxBatch), builds and signs the records in
 * seq order, and commits them in one store transaction (group commit).
 *
 * Two batches overlap: while one is being appended (waiting for the disk),
 * the next is built and signed on top of it (the tip). It is appended only
 * after the one below it committed, and rejected with it if that failed,
 * so store.append is still called one batch at a time, in seq order.
 *
 * Crash ordering, step by step:
 *  1. build + hash in seq order, then sign the batch (on a signing thread),
 *     all in memory: a crash loses nothing acknowledged; the callers get no
 *     answer and retry with their request ids.
 *  2. store.append (one transaction): either the whole batch is durable or
 *     none of it; a crash here is step 1 or step 3.
 *  3. only after append returns are head, epoch state and the callers'
 *     promises advanced/resolved, so no response precedes durability.
 * If append fails, the batch (and the batch built on it) is rejected (503)
 * and the head and epochs are reloaded from the store before the next batch:
 * a commit whose acknowledgement was lost is then found by the retry's
 * request id.
 */

import { createHash } from 'node:crypto';
import { canonicalize, GENESIS_PREV, RECORD_VERSION, signingMessage, type Body, type LogRecord, type RecordType } from '@rngseal/verifier';
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

/** A record hashed but not yet signed, with the canonical text around the hash and sig members. */
interface Hashed {
  built: Built;
  unsigned: Omit<LogRecord, 'hash' | 'sig'>;
  digest: Buffer;
  hash: string;
  start: string;
  middle: string;
  end: string;
}

/** A batch built, hashed and signed on top of the tip, ready to append. */
interface Prepared {
  done: Array<{ job: Job; records: Appended[] }>;
  head: Head | null;
  staged: Map<string, EpochState>;
  started: number;
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
  /** Last durable record. */
  #head: Head | null = null;
  /** Last record built: the head, or the last record of the batch being appended. */
  #tip: Head | null = null;
  /** Epoch states of the batch being appended (not yet in the EpochBook). */
  #appendingStaged = new Map<string, EpochState>();
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
      this.#kick();
    });
  }

  /** Starts the drain loop unless it runs; a job queued while it was finishing starts it again. */
  #kick(): void {
    if (this.#running || this.#queue.length === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      this.#kick();
    });
  }

  /** Loads the head and open epochs from the store. */
  async load(): Promise<void> {
    const head = await this.store.head(this.chain);
    this.#head = head ? { seq: head.seq, hash: head.hash, time: (JSON.parse(head.text) as LogRecord).time } : null;
    this.#tip = this.#head;
    this.#appendingStaged = new Map();
    await this.epochs.load(this.chain);
    this.#stale = false;
  }

  /** Stops taking work and waits for the queue to drain. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running) await this.#running;
  }

  async #drain(): Promise<void> {
    /** The append under way; resolves true once committed, false if it failed. */
    let appending: Promise<boolean> | null = null;
    while (this.#queue.length > 0 || appending) {
      if (appending && (this.#queue.length === 0 || this.#stale)) {
        await appending;
        appending = null;
        continue;
      }
      const jobs = this.#queue.splice(0, this.maxBatch);
      try {
        if (this.#stale) await this.load(); // nothing is appending here
      } catch (err) {
        for (const job of jobs) job.reject(err);
        continue;
      }
      const prepared = await this.#prepare(jobs);
      if (appending && !(await appending)) {
        // The batch below failed: this one chains onto records that do not exist.
        for (const d of prepared?.done ?? []) d.job.reject(new StoreUnavailableError('store append failed'));
        appending = null;
        continue;
      }
      appending = prepared ? this.#append(prepared) : null;
    }
  }

  /** Builds, hashes and signs a batch on top of the tip, and moves the tip past it. */
  async #prepare(jobs: Job[]): Promise<Prepared | null> {
    const started = performance.now();
    const staged = new Map<string, EpochState>();
    const done: Array<{ job: Job; records: Appended[] }> = [];
    const hashed: Array<{ job: Job; records: Hashed[] }> = [];
    let head = this.#tip;
    for (const job of jobs) {
      const stagedHere = new Map(staged);
      let records: Hashed[];
      let jobHead = head;
      try {
        // One clock reading per job: the builder's checks (epoch expiry) and the record agree on it.
        const time = jobTime(head);
        const built = [job.build(this.#context(head, stagedHere, time))].flat();
        records = built.map((b) => {
          const h = this.#hash(b, jobHead, time);
          jobHead = { seq: h.unsigned.seq, hash: h.hash, time };
          return h;
        });
      } catch (err) {
        job.reject(err); // nothing of this job is kept: its epoch changes are dropped
        continue;
      }
      for (const [id, e] of stagedHere) staged.set(id, e);
      head = jobHead;
      hashed.push({ job, records });
    }
    if (hashed.length === 0) return null;
    const tip = this.#tip;
    this.#tip = head;
    // Signatures do not enter the chain (prev is the hash), so a batch is hashed
    // in seq order first and then signed in one go, off the event loop.
    let sigs: Uint8Array[];
    try {
      sigs = await this.signer.signMany(hashed.flatMap((h) => h.records.map((r) => signingMessage(r.digest))));
    } catch (err) {
      if (this.#tip === head) this.#tip = tip;
      for (const h of hashed) h.job.reject(err);
      return null;
    }
    let i = 0;
    for (const h of hashed) done.push({ job: h.job, records: h.records.map((r) => this.#seal(r, sigs[i++]!)) });
    return { done, head, staged, started };
  }

  /** Appends a prepared batch; only then advances the head and epochs and answers its callers. */
  async #append(batch: Prepared): Promise<boolean> {
    const { done, head, staged, started } = batch;
    this.#appendingStaged = staged;
    const stored = done.flatMap((d) => d.records.map((r) => r.stored));
    const epochRows: EpochRow[] = [...staged.values()].map((e) => this.epochs.toRow(e));
    try {
      await this.store.append({ chain: this.chain, records: stored, epochs: epochRows });
    } catch (err) {
      this.#stale = true;
      this.#tip = this.#head;
      this.#appendingStaged = new Map();
      const failure = err instanceof StoreUnavailableError ? err : new StoreUnavailableError('store append failed', { cause: err });
      for (const d of done) d.job.reject(failure);
      return false;
    }
    this.#head = head;
    this.epochs.commit(staged.values());
    if (this.#appendingStaged === staged) this.#appendingStaged = new Map();
    this.events.onBatch?.(stored.length, performance.now() - started);
    for (const d of done) d.job.resolve(d.records);
    return true;
  }

  #context(head: Head | null, staged: Map<string, EpochState>, time: number): BuildContext {
    return {
      seq: head ? head.seq + 1 : 0,
      time,
      entropy: this.entropy,
      epoch: (id) => {
        const found = staged.get(id) ?? this.#appendingStaged.get(id) ?? this.epochs.get(id);
        if (!found) return undefined;
        const copy = { ...found };
        staged.set(id, copy);
        return copy;
      },
      addEpoch: (epoch) => void staged.set(epoch.id, epoch),
    };
  }

  /** The record without its signature: its canonical text parts and its hash. */
  #hash(built: Built, head: Head | null, time: number): Hashed {
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
    // JCS orders the members body, chain, (hash), key, prev, seq, (sig), time, type, v:
    // the body, by far the largest part, is encoded once and spliced into both
    // texts, which are byte for byte canonicalize(unsigned) and canonicalize(record).
    const c = (name: keyof typeof unsigned) => `"${name}":${canonicalize(unsigned[name], `$.${name}`)}`;
    const start = `{${c('body')},${c('chain')}`;
    const middle = `${c('key')},${c('prev')},${c('seq')}`;
    const end = `${c('time')},${c('type')},${c('v')}}`;
    const digest = createHash('sha256').update(`${start},${middle},${end}`).digest();
    return { built, unsigned, digest, hash: digest.toString('hex'), start, middle, end };
  }

  #seal(h: Hashed, sig: Uint8Array): Appended {
    const record: LogRecord = { ...h.unsigned, hash: h.hash, sig: Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString('hex') };
    const stored: StoredRecord = {
      chain: this.chain,
      seq: record.seq,
      type: record.type,
      requestId: h.built.requestId ?? null,
      requestDigest: h.built.requestDigest ?? null,
      hash: record.hash,
      text: `${h.start},"hash":"${record.hash}",${h.middle},"sig":"${record.sig}",${h.end}`,
    };
    return { record, stored };
  }
}

/** Record time: wall clock in ms, never earlier than the previous record's. */
function jobTime(head: Head | null): number {
  return Math.max(Date.now(), head?.time ?? 0);
}
