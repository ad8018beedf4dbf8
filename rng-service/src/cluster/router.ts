/**
 * @module cluster/router
 * Sends each request to the writer of the right chain (docs/scale.md):
 * direct draws and new epochs to this instance's own chain; everything in
 * an epoch to the chain that committed it, if this instance writes that
 * chain now. An open epoch on a chain another instance writes is a 503
 * with Retry-After (its writer may move here, or the client may send it to
 * that instance); a request id already in the store is answered from it
 * on any instance.
 */

import type { Engine, EpochRequest, OutcomeRequest } from '../engine/engine.js';
import { notFound, ProblemError } from '../engine/problem.js';
import { RequestIdTakenError, type LogStore } from '../store/log-store.js';
import type { ChainWriter } from './chain-writer.js';

/** What the HTTP routes ask of the engine. */
export type OutcomeApi = Pick<Engine, 'outcomes' | 'createEpoch' | 'rotateEpoch' | 'revealEpoch'>;

export class ChainRouter implements OutcomeApi {
  readonly #writers = new Map<string, ChainWriter>();

  constructor(
    private readonly store: LogStore,
    /** This instance's own chain: it is always routed here, writing or stepped down (then its requests get 503). */
    readonly home: ChainWriter,
  ) {
    this.add(home);
  }

  add(writer: ChainWriter): void {
    this.#writers.set(writer.chain, writer);
  }

  remove(chain: string): void {
    if (chain !== this.home.chain) this.#writers.delete(chain);
  }

  get(chain: string): ChainWriter | undefined {
    return this.#writers.get(chain);
  }

  all(): ChainWriter[] {
    return [...this.#writers.values()];
  }

  outcomes(req: OutcomeRequest): ReturnType<Engine['outcomes']> {
    if (req.epoch === undefined) return retryTaken(() => this.home.engine.outcomes(req));
    return this.#inEpoch(req.epoch, req.requestId, (engine) => engine.outcomes(req));
  }

  createEpoch(req: EpochRequest): ReturnType<Engine['createEpoch']> {
    return retryTaken(() => this.home.engine.createEpoch(req));
  }

  rotateEpoch(epochId: string, req: EpochRequest): ReturnType<Engine['rotateEpoch']> {
    return this.#inEpoch(epochId, req.requestId, (engine) => engine.rotateEpoch(epochId, req));
  }

  revealEpoch(epochId: string): ReturnType<Engine['revealEpoch']> {
    return this.#inEpoch(epochId, null, (engine) => engine.revealEpoch(epochId));
  }

  /** Reveals the expired epochs of every chain this instance writes. */
  async revealExpired(now = Date.now()): Promise<number> {
    let revealed = 0;
    for (const writer of this.all()) if (!writer.sequencer.fenced) revealed += await writer.engine.revealExpired(now);
    return revealed;
  }

  /**
   * Runs `call` on the engine of the epoch's chain. A revealed epoch, or a
   * request id already stored, needs no writer: any engine answers it from
   * the store (the same record, or a 404/409).
   */
  async #inEpoch<T>(epochId: string, requestId: string | null, call: (engine: Engine) => Promise<T>): Promise<T> {
    const open = this.all().find((w) => w.epochs.get(epochId));
    if (open) return retryTaken(() => call(open.engine));
    const row = await this.store.epoch(epochId);
    if (!row) throw notFound(`epoch ${epochId}`);
    const writer = this.#writers.get(row.chain);
    if (writer) return retryTaken(() => call(writer.engine));
    if (row.revealSeq !== null || (requestId !== null && (await this.store.byRequest(requestId)))) return call(this.home.engine);
    throw new ProblemError(503, 'Chain written elsewhere',
      `epoch ${epochId} is on chain ${row.chain}, which another instance writes now: retry, or send the epoch's requests to that instance (GET /v1/chains)`, 'epoch');
  }
}

/**
 * Another instance committed the request id while this one was building
 * its record: ask again, and the engine's lookup answers with that record
 * (or a 409 for a different body).
 */
async function retryTaken<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof RequestIdTakenError) return call();
    throw err;
  }
}
