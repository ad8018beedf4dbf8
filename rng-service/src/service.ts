/**
 * @module service
 * Boots the service: data directory, key, store (its Merkle tree built for
 * records older than it), chain check, entropy, boot record, HTTP. Stops it in the reverse order on SIGTERM: stop accepting,
 * let in-flight requests finish (their records are flushed by the
 * sequencer), then close entropy and the store.
 *
 * On a PostgreSQL store shared by several instances (docs/scale.md), the
 * instance first takes its own chain's writer lease, and keeps it, takes
 * over dead writers' chains and hands them back through cluster/.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createSource, parseSourceSpec, type EntropySource } from '@rngseal/drivers';
import { toHex } from '@rngseal/verifier';
import { buildApp } from './app.js';
import { checkStoredChain } from './chain-check.js';
import { ChainWriter, type WriterContext } from './cluster/chain-writer.js';
import { LeaseKeeper } from './cluster/lease-keeper.js';
import { clusterMetrics } from './cluster/metrics.js';
import { ChainRouter } from './cluster/router.js';
import type { Config } from './config.js';
import { CountingEntropy } from './entropy/counting.js';
import { HardwareEntropy, type HardwareOptions } from './entropy/hardware.js';
import { HealthLog } from './entropy/health-log.js';
import { SelfTest } from './entropy/self-test.js';
import { SelfTestGate } from './entropy/self-test-gate.js';
import { Metrics } from './metrics.js';
import { SeedSealer } from './seal.js';
import { generateKeyFile, loadKeyFile, type Signer } from './signer.js';
import type { LogStore } from './store/log-store.js';
import { openStore } from './store/open.js';
import { backfillTree } from './tlog/backfill.js';
import { createToken, TokenAuth } from './tokens.js';

export interface RunningService {
  app: FastifyInstance;
  url: string;
  chain: string;
  signer: Signer;
  stop(): Promise<void>;
}

/** Where first-start messages go: the terminal, never the structured log. */
export type Announce = (line: string) => void;

/** Parts a caller supplies instead of building them from the config (fault-injection tests). */
export interface Overrides {
  sources?: EntropySource[];
  /** Pipeline tuning (backoff, stall time), for tests that unplug devices. */
  entropy?: HardwareOptions;
  store?: (config: Config) => LogStore;
  /** Replaces the DRBG output the SP 800-22 self-test samples (a biased generator in tests). */
  selfTestSample?: (bytes: number) => Uint8Array;
}

export async function startService(
  config: Config,
  announce: Announce = (l) => process.stderr.write(`${l}\n`),
  overrides: Overrides = {},
): Promise<RunningService> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const signer = loadOrCreateKey(config.keyFile, announce);
  const chain = config.chain ?? chainId(config.dataDir);
  const origin = config.origin ?? `rngseal/${chain}`;
  const store: LogStore = overrides.store?.(config) ?? openStore(config.store);
  await store.migrate();
  // Instances sharing the store (docs/scale.md): the chain is verified and extended only under its writer lease.
  const instance = config.instance ?? `i-${randomBytes(6).toString('hex')}`;
  const keeper = store.leases ? new LeaseKeeper({ leases: store.leases, instance, leaseMs: config.leaseMs, chain, origin }) : null;
  const lease = keeper ? await keeper.acquireHome() : null;
  const giveUpLease = async (err: unknown) => {
    await keeper?.releaseAll();
    throw err;
  };
  const backfilled = await backfillTree(store, chain).catch(giveUpLease);
  if (backfilled > 0) announce(`rngseal: built the stored Merkle tree of ${backfilled} records appended before it was kept`);
  await checkStoredChain(store, chain, { full: config.verifyFull, tail: config.verifyTail, origin }).catch(giveUpLease);
  await ensureTokens(store, config.dataDir, announce);

  const metrics = new Metrics();
  const sources = overrides.sources ?? parseSourceSpec(config.source).map((spec) => createSource(spec));
  const hardware = new HardwareEntropy(sources, {
    alpha: 2 ** -config.healthAlpha,
    reseedMs: config.reseedMs,
    reseedCount: config.reseedCount,
    ...overrides.entropy,
  });
  const gate = new SelfTestGate(hardware);
  const entropy = new CountingEntropy(gate, metrics);
  await entropy.start();
  let log: FastifyInstance['log'] | null = null;
  const races = clusterMetrics(metrics.registry);
  const writing: WriterContext = {
    store, signer, entropy, config,
    sealer: new SeedSealer(signer.deriveKey('rngseal/seed-seal/v1')),
    events: {
      onBatch: (records, ms) => {
        metrics.batchSize.observe(records);
        metrics.batchSeconds.observe(ms / 1000);
      },
      onCheckpointError: (err) => log?.error({ err }, 'checkpoint not appended'),
      onFenced: (err) => keeper?.fenced(err),
      onRequestIdTaken: (failed, requeued) => {
        races.requestIdRaces.inc(failed);
        races.requeuedJobs.inc(requeued);
      },
    },
  };
  const home = new ChainWriter(chain, origin, writing);
  const { sequencer } = home;
  await home.begin(lease, 'start').catch(giveUpLease);
  const health = new HealthLog(sequencer, metrics);
  hardware.on('failure', (f) => health.failed(f));
  hardware.on('healthy', (name) => health.recovered(name));
  const selfTest = config.selfTestMs > 0 ? new SelfTest({
    sampler: { sample: overrides.selfTestSample ?? ((n) => hardware.selfTestSample(n)), reseed: () => hardware.reseed() },
    sequencer, gate, metrics,
  }, { intervalMs: config.selfTestMs, bits: config.selfTestBits }) : null;
  await selfTest?.restore(store, chain); // a restart does not clear a failed self-test

  const router = new ChainRouter(store, home);
  keeper?.manage(router, (adopted, adoptedOrigin) => new ChainWriter(adopted, adoptedOrigin, writing));
  const transparency = { origin, verifierKey: home.checkpoints.verifierKey, checkpointMs: config.checkpointMs };
  const app = await buildApp(
    { chain, store, engine: router, sequencer, entropy, signer, auth: new TokenAuth(store), metrics, transparency },
    { logger: { level: config.logLevel, redact: ['req.headers.authorization', 'headers.authorization'] } },
  );
  health.log = app.log;
  if (selfTest) selfTest.log = app.log;
  log = app.log;
  if (keeper) keeper.log = app.log;
  const url = await app.listen({ host: config.host, port: config.port });
  const sweeper = setInterval(() => void router.revealExpired().catch((err) => app.log.warn({ err }, 'expiry reveal failed')), config.sweepMs);
  const checkpointer = setInterval(() => {
    // Only when records followed the last checkpoint: an idle log signs nothing new.
    for (const { sequencer: s } of router.all()) {
      if (s.head && s.head.seq !== s.lastCheckpoint?.seq && !s.fenced) s.checkpoint().catch((err) => app.log.error({ err }, 'checkpoint not appended'));
    }
  }, config.checkpointMs);
  selfTest?.start();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(sweeper);
      clearInterval(checkpointer);
      await selfTest?.stop();
      await keeper?.stopScanning();
      await app.close();
      await Promise.all(router.all().map((w) => w.sequencer.close()));
      await keeper?.releaseAll(); // other instances take the chains at once
      await entropy.stop();
      await store.close();
      await signer.close();
    })());
  return { app, url, chain, signer, stop };
}

function loadOrCreateKey(path: string, announce: Announce): Signer {
  if (existsSync(path)) return loadKeyFile(path);
  const signer = generateKeyFile(path);
  announce(`rngseal: generated a signing key in ${path} (mode 0600)`);
  announce(`rngseal: public key ${toHex(signer.publicKey)} (key id ${signer.keyId})`);
  return signer;
}

function chainId(dataDir: string): string {
  const path = join(dataDir, 'chain-id');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const id = `rngseal-${randomBytes(6).toString('hex')}`;
  writeFileSync(path, `${id}\n`, { flag: 'wx' });
  return id;
}

/** First start: one game-server token and one admin token, printed once and saved 0600. */
async function ensureTokens(store: LogStore, dataDir: string, announce: Announce): Promise<void> {
  if ((await store.tokens()).length > 0) return;
  for (const [scope, file] of [['outcomes', 'game-server.token'], ['admin', 'admin.token']] as const) {
    const { token } = await createToken(store, [scope], scope === 'outcomes' ? 'game server (first start)' : 'admin (first start)');
    const path = join(dataDir, file);
    writeFileSync(path, `${token}\n`, { mode: 0o600 });
    chmodSync(path, 0o600);
    announce(`rngseal: ${scope} token (shown once, also saved to ${path}): ${token}`);
  }
}
