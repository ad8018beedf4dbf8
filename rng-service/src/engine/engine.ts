/**
 * @module engine/engine
 * What the API does: seeded epochs (commit → outcomes → reveal) and direct
 * draws, each request idempotent by its request id. Every state change goes
 * through the chain's Sequencer, so checks made inside a builder (epoch open,
 * nonce) are serialised with the append that depends on them.
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  canonicalize, clientSeedProblem, computeDraws, mappingById, mappingByName, SEED_BYTES, toHex,
  type Body, type Json, type LogRecord, type OutcomeBody, type Params, type RevealReason,
} from '@rngseal/verifier';
import { nodeMac } from '../node-crypto.js';
import type { LogStore, StoredRecord } from '../store/log-store.js';
import type { EpochBook, EpochState } from './epochs.js';
import { badRequest, conflict, notFound, ProblemError } from './problem.js';
import type { Appended, Built, BuildContext, Sequencer } from './sequencer.js';

export interface DrawRequest {
  mapping: string;
  params: Params;
}

export interface OutcomeRequest {
  requestId: string;
  epoch?: string;
  clientSeed?: string;
  draws: DrawRequest[];
}

export interface EpochRequest {
  requestId: string;
  /** Seconds until the epoch stops taking outcomes and is revealed. */
  expiresIn?: number;
}

/** An outcome record and its body (the results), so answering it needs no re-parse of the stored text. */
export interface Outcome {
  stored: StoredRecord;
  body: OutcomeBody;
}


/** Most work (result values and list entries, Mapping.cost) one request may ask for. */
export const MAX_REQUEST_COST = 100_000;

export class Engine {
  #inflight = new Map<string, { digest: string; done: Promise<unknown> }>();

  constructor(
    private readonly store: LogStore,
    private readonly sequencer: Sequencer,
    private readonly epochs: EpochBook,
  ) {}

  /** Draws outcomes in an epoch or directly; returns the outcome record. */
  async outcomes(req: OutcomeRequest): Promise<Outcome> {
    const specs = validateDraws(req.draws);
    const clientSeed = req.clientSeed ?? '';
    if (req.epoch !== undefined || req.clientSeed !== undefined) {
      const problem = clientSeedProblem(req.clientSeed);
      if (problem) throw badRequest('clientSeed', req.clientSeed === undefined ? 'is required for epoch outcomes' : problem);
    }
    const digest = digestOf({ op: 'outcomes', epoch: req.epoch ?? null, clientSeed, draws: specs as unknown as Json });
    return this.#once(req.requestId, digest, async () => {
      if (req.epoch !== undefined) await this.#requireOpen(req.epoch);
      const [appended] = await this.sequencer.submit((ctx) => {
        const body = req.epoch === undefined ? directBody(ctx, req.requestId, clientSeed, specs) : epochBody(ctx, req.epoch, req.requestId, clientSeed, specs);
        return { type: 'outcome', body, requestId: req.requestId, requestDigest: digest };
      });
      return { stored: appended!.stored, body: appended!.record.body as unknown as OutcomeBody };
    }, async (stored) => ({ stored, body: (JSON.parse(stored.text) as LogRecord).body as unknown as OutcomeBody }));
  }

  /** Draws a server seed and appends its commitment. */
  async createEpoch(req: EpochRequest): Promise<StoredRecord> {
    const expiresIn = req.expiresIn ?? null;
    const digest = digestOf({ op: 'epoch', expiresIn });
    const [commit] = await this.#once(req.requestId, digest, async () =>
      storedOf(await this.sequencer.submit((ctx) => this.#commitBuilt(ctx, req.requestId, digest, expiresIn, null))),
    );
    return commit!;
  }

  /** Reveals `epochId` and commits its successor in one atomic append. Returns [reveal, commit]. */
  async rotateEpoch(epochId: string, req: EpochRequest): Promise<StoredRecord[]> {
    const expiresIn = req.expiresIn ?? null;
    const digest = digestOf({ op: 'rotate', epoch: epochId, expiresIn });
    return this.#once(req.requestId, digest, async () => {
      await this.#requireOpen(epochId);
      return storedOf(await this.sequencer.submit((ctx) => {
        const reveal = revealBuilt(ctx, epochId, 'rotation');
        const next = { ...ctx, seq: ctx.seq + 1 };
        return [reveal, this.#commitBuilt(next, req.requestId, digest, expiresIn, epochId)];
      }));
    }, async (commit) => [await this.#revealOf(epochId), commit]);
  }

  /** Publishes the epoch's seed. Revealing a revealed epoch returns its reveal record. */
  async revealEpoch(epochId: string, reason: RevealReason = 'request'): Promise<StoredRecord> {
    const row = await this.store.epoch(epochId);
    if (!row) throw notFound(`epoch ${epochId}`);
    if (row.revealSeq !== null) return this.#revealOf(epochId);
    try {
      const [reveal] = await this.sequencer.submit((ctx) => revealBuilt(ctx, epochId, reason));
      return reveal!.stored;
    } catch (err) {
      // A concurrent reveal won the race: answer with its record.
      if (err instanceof ProblemError && err.status === 409) return this.#revealOf(epochId);
      throw err;
    }
  }

  /** Reveals every open epoch past its expiry; returns how many. */
  async revealExpired(now = Date.now()): Promise<number> {
    const expired = this.epochs.open().filter((e) => e.expires !== null && e.expires < now);
    for (const e of expired) await this.revealEpoch(e.id, 'expiry');
    return expired.length;
  }

  #commitBuilt(ctx: BuildContext, requestId: string, digest: string, expiresIn: number | null, previous: string | null): Built {
    const id = randomBytes(16).toString('hex');
    ctx.entropy.reseed?.(); // every epoch's seed comes from a DRBG state fresh from the sources
    const seed = ctx.entropy.draw(SEED_BYTES);
    const expires = expiresIn === null ? null : ctx.time + expiresIn * 1000;
    const epoch = this.epochs.create(id, this.sequencer.chain, seed, ctx.seq, expires);
    ctx.addEpoch(epoch);
    const body = { epoch: id, commitment: epoch.commitment, expires, request: requestId, previous };
    return { type: 'commit', body, requestId, requestDigest: digest };
  }

  async #requireOpen(epochId: string): Promise<void> {
    if (this.epochs.get(epochId)) return;
    const row = await this.store.epoch(epochId);
    if (!row) throw notFound(`epoch ${epochId}`);
    throw conflict(`epoch ${epochId} is revealed and takes no more outcomes`, 'epoch');
  }

  async #revealOf(epochId: string): Promise<StoredRecord> {
    const row = await this.store.epoch(epochId);
    const reveal = row?.revealSeq == null ? null : await this.store.record(row.chain, row.revealSeq);
    if (!reveal) throw notFound(`reveal of epoch ${epochId}`);
    return reveal;
  }

  /**
   * Runs `append` once per request id. A retry, concurrent or later, with the
   * same body gets the same records; with another body it gets a 409. The
   * request id's record is the last one appended.
   */
  async #once<T>(
    requestId: string,
    digest: string,
    append: () => Promise<T>,
    replay: (stored: StoredRecord) => Promise<T> = async (s) => [s] as T,
  ): Promise<T> {
    const inflight = this.#inflight.get(requestId);
    if (inflight) {
      if (inflight.digest !== digest) throw reuse(requestId);
      return inflight.done as Promise<T>;
    }
    const done = (async () => {
      const existing = await this.store.byRequest(requestId);
      if (existing) {
        if (existing.requestDigest !== digest) throw reuse(requestId);
        return replay(existing);
      }
      return append();
    })();
    this.#inflight.set(requestId, { digest, done });
    try {
      return await done;
    } finally {
      this.#inflight.delete(requestId);
    }
  }
}

const storedOf = (appended: Appended[]): StoredRecord[] => appended.map((a) => a.stored);

function reuse(requestId: string): ProblemError {
  return conflict(`requestId ${requestId} was already used with a different request body`, 'requestId');
}

function digestOf(request: Json): string {
  return createHash('sha256').update(canonicalize(request)).digest('hex');
}

/** Validates draws against their mappings; returns them with versioned mapping ids. */
function validateDraws(draws: DrawRequest[]): DrawRequest[] {
  let cost = 0;
  const specs = draws.map((draw, i) => {
    const mapping = mappingById(draw.mapping) ?? mappingByName(draw.mapping);
    if (!mapping) throw badRequest(`draws[${i}].mapping`, `unknown mapping ${JSON.stringify(draw.mapping)}`);
    const problem = mapping.validate(draw.params);
    if (problem) throw badRequest(`draws[${i}].params.${problem.split(':')[0]}`, problem.slice(problem.indexOf(':') + 1).trim());
    cost += mapping.cost(draw.params);
    return { mapping: mapping.id, params: draw.params };
  });
  if (cost > MAX_REQUEST_COST) throw badRequest('draws', `cost ${cost} (result values and list entries) is over the limit of ${MAX_REQUEST_COST} a request`);
  return specs;
}

function directBody(ctx: BuildContext, request: string, clientSeed: string, specs: DrawRequest[]): Body {
  const key = ctx.entropy.draw(SEED_BYTES);
  const draws = computeDraws(key, clientSeed, 0, specs, nodeMac);
  return { request, epoch: null, clientSeed, entropy: toHex(key), draws } as unknown as Body;
}

function epochBody(ctx: BuildContext, epochId: string, request: string, clientSeed: string, specs: DrawRequest[]): Body {
  const epoch = openEpoch(ctx, epochId);
  if (epoch.expires !== null && ctx.time > epoch.expires) throw conflict(`epoch ${epochId} has expired`, 'epoch');
  const draws = computeDraws(epoch.seed, clientSeed, epoch.nextNonce, specs, nodeMac);
  epoch.nextNonce += specs.length;
  return { request, epoch: epochId, clientSeed, entropy: null, draws } as unknown as Body;
}

function revealBuilt(ctx: BuildContext, epochId: string, reason: RevealReason): Built {
  const epoch = openEpoch(ctx, epochId);
  epoch.revealSeq = ctx.seq;
  return { type: 'reveal', body: { epoch: epochId, seed: toHex(epoch.seed), reason, nonces: epoch.nextNonce } };
}

function openEpoch(ctx: BuildContext, epochId: string): EpochState {
  const epoch = ctx.epoch(epochId);
  if (!epoch || epoch.revealSeq !== null) throw conflict(`epoch ${epochId} is not open`, 'epoch');
  return epoch;
}

export type { LogRecord };
