/**
 * @module service
 * Boots the service: data directory, key, store (its Merkle tree built for
 * records older than it), chain check, entropy, boot record, HTTP. Stops it in the reverse order on SIGTERM: stop accepting,
 * let in-flight requests finish (their records are flushed by the
 * sequencer), then close entropy and the store.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createSource, parseSourceSpec, type EntropySource } from '@rngseal/drivers';
import { toHex, type Json } from '@rngseal/verifier';
import { buildApp } from './app.js';
import { checkStoredChain } from './chain-check.js';
import { type Config, configDigest } from './config.js';
import { Engine } from './engine/engine.js';
import { EpochBook } from './engine/epochs.js';
import { Sequencer } from './engine/sequencer.js';
import type { Entropy } from './entropy/entropy.js';
import { CountingEntropy } from './entropy/counting.js';
import { HardwareEntropy, type HardwareOptions } from './entropy/hardware.js';
import { HealthLog } from './entropy/health-log.js';
import { Metrics } from './metrics.js';
import { SeedSealer } from './seal.js';
import { generateKeyFile, loadKeyFile, type Signer } from './signer.js';
import { softwareIdentity } from './software.js';
import type { LogStore } from './store/log-store.js';
import { openStore } from './store/open.js';
import { backfillTree } from './tlog/backfill.js';
import { checkpointSigner } from './tlog/checkpoint-signer.js';
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
  const backfilled = await backfillTree(store, chain);
  if (backfilled > 0) announce(`rngseal: built the stored Merkle tree of ${backfilled} records appended before it was kept`);
  await checkStoredChain(store, chain, { full: config.verifyFull, tail: config.verifyTail, origin });
  await ensureTokens(store, config.dataDir, announce);

  const metrics = new Metrics();
  const sources = overrides.sources ?? parseSourceSpec(config.source).map((spec) => createSource(spec));
  const hardware = new HardwareEntropy(sources, {
    alpha: 2 ** -config.healthAlpha,
    reseedMs: config.reseedMs,
    reseedCount: config.reseedCount,
    ...overrides.entropy,
  });
  const entropy = new CountingEntropy(hardware, metrics);
  await entropy.start();
  const epochs = new EpochBook(store, new SeedSealer(signer.deriveKey('rngseal/seed-seal/v1')));
  const checkpoints = checkpointSigner(origin, signer);
  let log: FastifyInstance['log'] | null = null;
  const sequencer = new Sequencer(chain, store, signer, entropy, epochs, {
    onBatch: (records, ms) => {
      metrics.batchSize.observe(records);
      metrics.batchSeconds.observe(ms / 1000);
    },
    onCheckpointError: (err) => log?.error({ err }, 'checkpoint not appended'),
  }, config.maxBatch, { every: config.checkpointEvery, body: checkpoints.body });
  await sequencer.load();
  await appendBoot(sequencer, signer, config, entropy);
  const health = new HealthLog(sequencer, metrics);
  hardware.on('failure', (f) => health.failed(f));
  hardware.on('healthy', (name) => health.recovered(name));

  const engine = new Engine(store, sequencer, epochs);
  const transparency = { origin, verifierKey: checkpoints.verifierKey, checkpointMs: config.checkpointMs };
  const app = await buildApp(
    { chain, store, engine, sequencer, entropy, signer, auth: new TokenAuth(store), metrics, transparency },
    { logger: { level: config.logLevel, redact: ['req.headers.authorization', 'headers.authorization'] } },
  );
  health.log = app.log;
  log = app.log;
  const url = await app.listen({ host: config.host, port: config.port });
  const sweeper = setInterval(() => void engine.revealExpired().catch((err) => app.log.warn({ err }, 'expiry reveal failed')), config.sweepMs);
  const checkpointer = setInterval(() => {
    // Only when records followed the last checkpoint: an idle log signs nothing new.
    if (sequencer.head && sequencer.head.seq !== sequencer.lastCheckpoint?.seq) {
      sequencer.checkpoint().catch((err) => app.log.error({ err }, 'checkpoint not appended'));
    }
  }, config.checkpointMs);

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(sweeper);
      clearInterval(checkpointer);
      await app.close();
      await sequencer.close();
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

async function appendBoot(sequencer: Sequencer, signer: Signer, config: Config, entropy: Entropy): Promise<void> {
  const body = {
    software: { ...softwareIdentity() },
    config: configDigest(config),
    sources: entropy.sources(),
    publicKey: toHex(signer.publicKey),
  } satisfies Record<string, Json>;
  await sequencer.submit(() => ({ type: 'boot', body }));
}
