/**
 * @module cluster/lease-keeper
 * Keeps this instance's writer leases where instances share a PostgreSQL
 * store (docs/scale.md). Two loops, each every third of the lease:
 *  - renew: extends every lease held; a lease found lost steps its
 *    sequencer down at once (the store's fence check would refuse its
 *    appends anyway); an adopted chain whose own instance asks for it is
 *    drained and handed back;
 *  - scan: takes this instance's own chain back when it lost it (or asks
 *    its holder to hand it back), and takes over chains whose lease expired.
 * Renewal never waits behind a takeover's verification.
 *
 * Taking a chain (back or over) verifies its stored tail, reloads it and
 * appends a boot record naming this instance, the lease token and the
 * previous holder, before any request is routed to it.
 */

import type { FastifyBaseLogger } from 'fastify';
import { VerifyError } from '@rngseal/verifier';
import { FencedError, type ChainLeases, type Fence, type LeaseGrant } from '../store/log-store.js';
import type { ChainWriter } from './chain-writer.js';
import type { ChainRouter } from './router.js';

type HeldLease = Fence & { chain: string };

export interface KeeperOptions {
  leases: ChainLeases;
  /** This process's instance id, the lease holder. */
  instance: string;
  leaseMs: number;
  /** This instance's own chain and its origin. */
  chain: string;
  origin: string;
}

export class LeaseKeeper {
  log: FastifyBaseLogger | null = null;
  readonly #o: KeeperOptions;
  readonly #held = new Map<string, HeldLease>();
  /** Chains whose stored tail failed verification: not taken over again by this process. */
  readonly #refused = new Set<string>();
  readonly #handingBack = new Set<string>();
  #renewTimer: NodeJS.Timeout | null = null;
  #scanTimer: NodeJS.Timeout | null = null;
  #renewing: Promise<void> | null = null;
  #scanning: Promise<void> | null = null;
  #router: ChainRouter | null = null;
  #adopt: ((chain: string, origin: string) => ChainWriter) | null = null;

  constructor(options: KeeperOptions) {
    this.#o = options;
  }

  /** Chains this instance holds the lease of. */
  get held(): string[] {
    return [...this.#held.keys()];
  }

  /**
   * Takes the lease of this instance's own chain: at once if it is free or
   * expired, else after asking its holder to hand it back. Renewal starts
   * here, so a long start-up verification keeps the lease.
   * @throws Error naming the holder when it is not handed back within `waitMs`
   */
  async acquireHome(waitMs = 3 * this.#o.leaseMs): Promise<LeaseGrant> {
    const { leases, chain, instance, leaseMs, origin } = this.#o;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const grant = await leases.acquire(chain, instance, leaseMs, origin);
      if (grant) {
        this.#hold(grant);
        return grant;
      }
      if (Date.now() > deadline) {
        const holder = (await leases.list()).find((l) => l.chain === chain)?.holder ?? 'another instance';
        throw new Error(`chain ${chain}: its lease is held by ${holder}, which did not hand it back within ${waitMs} ms; give each instance its own chain (--chain or --data-dir)`);
      }
      await leases.claim(chain, instance, leaseMs);
      await sleep(Math.min(250, leaseMs / 4));
    }
  }

  /** Starts the scan loop, once this instance writes its own chain. `adopt` makes the writer of a chain taken over. */
  manage(router: ChainRouter, adopt: (chain: string, origin: string) => ChainWriter): void {
    this.#router = router;
    this.#adopt = adopt;
    this.#scanTimer = setInterval(() => void (this.#scanning ??= this.#scan().finally(() => (this.#scanning = null))), this.#o.leaseMs / 3);
    this.#scanTimer.unref();
  }

  /** A sequencer's append was refused (its events.onFenced): its chain is no longer this instance's to write. */
  fenced(err: FencedError): void {
    if (this.#held.get(err.chain)?.token === err.token) this.#lost(err.chain, err.token);
  }

  /** Stops taking chains; the caller closes the writers, then releaseAll(). */
  async stopScanning(): Promise<void> {
    if (this.#scanTimer) clearInterval(this.#scanTimer);
    this.#scanTimer = null;
    await this.#scanning;
  }

  /** Ends every lease held, so other instances take the chains at once instead of after the lease time. */
  async releaseAll(): Promise<void> {
    await this.stopScanning();
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#renewTimer = null;
    await this.#renewing;
    const held = [...this.#held.values()];
    this.#held.clear();
    await Promise.all(held.map((lease) => this.#o.leases.release(lease).catch((err) => this.log?.warn({ err, chain: lease.chain }, 'lease not released'))));
  }

  #hold(grant: LeaseGrant): void {
    this.#held.set(grant.chain, { chain: grant.chain, holder: grant.holder, token: grant.token, ms: grant.ms });
    if (this.#renewTimer) return;
    this.#renewTimer = setInterval(() => void (this.#renewing ??= this.#renewAll().finally(() => (this.#renewing = null))), this.#o.leaseMs / 3);
    this.#renewTimer.unref();
  }

  async #renewAll(): Promise<void> {
    await Promise.all([...this.#held.values()].map(async (lease) => {
      let state: Awaited<ReturnType<ChainLeases['renew']>>;
      try {
        state = await this.#o.leases.renew(lease);
      } catch (err) {
        this.log?.warn({ err, chain: lease.chain }, 'lease not renewed; appends stop if it expires');
        return;
      }
      if (this.#held.get(lease.chain) !== lease) return; // released or replaced meanwhile
      if (state === 'lost') this.#lost(lease.chain, lease.token);
      else if (state === 'claimed' && lease.chain !== this.#o.chain) void this.#handBack(lease.chain);
    }));
  }

  /** The lease is gone: stop writing the chain, and drop it unless it is this instance's own. */
  #lost(chain: string, token: number): void {
    this.#held.delete(chain);
    const writer = this.#router?.get(chain);
    writer?.sequencer.stepDown(new FencedError(chain, token));
    this.log?.warn({ chain, token }, 'writer lease lost: stepped down on the chain');
    if (writer && chain !== this.#o.chain) {
      this.#router!.remove(chain);
      void writer.sequencer.close().catch(() => {});
    }
  }

  /** Drains an adopted chain's queued work under the lease, then releases it to the instance it belongs to. */
  async #handBack(chain: string): Promise<void> {
    if (this.#handingBack.has(chain)) return;
    this.#handingBack.add(chain);
    try {
      const writer = this.#router?.get(chain);
      this.#router?.remove(chain);
      await writer?.sequencer.close();
      const lease = this.#held.get(chain);
      this.#held.delete(chain);
      if (lease) await this.#o.leases.release(lease);
      this.log?.info({ chain }, 'handed the chain back to its own instance');
    } catch (err) {
      this.log?.warn({ err, chain }, 'chain not handed back; its lease expires instead');
    } finally {
      this.#handingBack.delete(chain);
    }
  }

  async #scan(): Promise<void> {
    try {
      if (!this.#held.has(this.#o.chain) && !this.#refused.has(this.#o.chain)) await this.#resumeHome();
      for (const chain of await this.#o.leases.expired()) {
        if (chain === this.#o.chain || this.#held.has(chain) || this.#refused.has(chain) || !this.#scanTimer) continue;
        await this.#takeOver(chain);
      }
    } catch (err) {
      this.log?.warn({ err }, 'lease scan failed');
    }
  }

  /** This instance's own chain, lost (paused past its lease, or store outage): take it back, or ask for it. */
  async #resumeHome(): Promise<void> {
    const { leases, chain, instance, leaseMs, origin } = this.#o;
    const grant = await leases.acquire(chain, instance, leaseMs, origin);
    if (!grant) return leases.claim(chain, instance, leaseMs);
    await this.#begin(this.#router!.home, grant, 'resume');
  }

  async #takeOver(chain: string): Promise<void> {
    const grant = await this.#o.leases.takeOver(chain, this.#o.instance, this.#o.leaseMs);
    if (!grant) return; // another instance was first
    const writer = this.#adopt!(chain, grant.origin ?? `rngseal/${chain}`);
    if (await this.#begin(writer, grant, 'takeover')) {
      this.#router!.add(writer);
      this.log?.warn({ chain, previous: grant.previous, token: grant.token }, 'took over a chain whose writer lease expired');
    }
  }

  /** Verifies, reloads and boots `writer` under `grant`; on failure gives the lease up again. */
  async #begin(writer: ChainWriter, grant: LeaseGrant, reason: 'resume' | 'takeover'): Promise<boolean> {
    this.#hold(grant);
    try {
      await writer.verify();
      await writer.begin(grant, reason);
      return this.#held.get(grant.chain)?.token === grant.token;
    } catch (err) {
      if (err instanceof VerifyError) this.#refused.add(grant.chain);
      this.log?.error({ err, chain: grant.chain }, `chain not ${reason === 'resume' ? 'resumed' : 'taken over'}; lease given up`);
      if (this.#held.get(grant.chain)?.token === grant.token) this.#held.delete(grant.chain);
      writer.sequencer.stepDown(new FencedError(grant.chain, grant.token));
      if (writer !== this.#router!.home) await writer.sequencer.close();
      await this.#o.leases.release(grant).catch(() => {});
      return false;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
