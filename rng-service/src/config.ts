/**
 * @module config
 * Service configuration from flags and RNGSEAL_* environment variables
 * (flags win), validated once at start with messages that name the setting.
 */

import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { accessSync, constants } from 'node:fs';
import { parseSourceSpec } from '@rngseal/drivers';
import { canonicalize, isValidKeyName } from '@rngseal/verifier';
import { SEQUENCE_BITS } from './entropy/self-test-battery.js';

/** The kernel's hardware RNG when this machine has a readable one, else the OS CSPRNG. */
export function defaultSource(): string {
  try {
    accessSync('/dev/hwrng', constants.R_OK);
    return 'hwrng:/dev/hwrng';
  } catch {
    return 'os';
  }
}

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  /** Signing key file; default <dataDir>/signing-key.pem, generated on first start. */
  keyFile: string;
  /** Entropy source spec (docs/devices.md): `hwrng:/dev/hwrng`, `serial:/dev/ttyACM0?driver=truerng`, `sim:seed=1`, `os`, joined with `+`. */
  source: string;
  /** Health-test false-alarm probability α = 2^-healthAlpha. */
  healthAlpha: number;
  /** DRBG reseed interval, ms, and count of draws. */
  reseedMs: number;
  reseedCount: number;
  /** Store location: a SQLite file path (default <dataDir>/rngseal.db) or a postgres:// URL. */
  store: string;
  /** Chain id; default read from (or created in) <dataDir>/chain-id. */
  chain: string | null;
  /** Verify the whole stored chain at start, not only its tail. */
  verifyFull: boolean;
  /** Records verified at start without verifyFull. */
  verifyTail: number;
  logLevel: string;
  /** Most records in one store transaction. */
  maxBatch: number;
  /** How often expired epochs are revealed, ms. */
  sweepMs: number;
  /** Checkpoint origin and signed-note key name; default `rngseal/<chain>`. */
  origin: string | null;
  /** A checkpoint once this many records follow the last one. */
  checkpointEvery: number;
  /** A checkpoint after this many ms when records follow the last one. */
  checkpointMs: number;
  /** Writer lease time, ms, where instances share a PostgreSQL store (docs/scale.md): a dead writer's chain is taken over after it. */
  leaseMs: number;
  /** This instance's id in leases and boot records; default a fresh one per process start. */
  instance: string | null;
  /** SP 800-22 self-test of the DRBG output every this many ms; 0: off (docs/entropy.md). */
  selfTestMs: number;
  /** Bits per self-test sample: whole 10^6-bit sequences. */
  selfTestBits: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface Setting {
  flag: string;
  env: string;
  parse: (raw: string, name: string) => unknown;
}

const text = (raw: string) => raw;
const bool = (raw: string, name: string) => {
  if (['1', 'true', 'yes', ''].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(raw)}`);
};
const int = (min: number, max: number) => (raw: string, name: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name}: must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
};
const intOrOff = (min: number, max: number) => (raw: string, name: string) => {
  if (raw === '0') return 0;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name}: must be 0 (off) or an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
};
const multipleOf = (step: number, max: number) => (raw: string, name: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < step || n > max || n % step !== 0) {
    throw new ConfigError(`${name}: must be a multiple of ${step} from ${step} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
};
const oneOf = (values: string[]) => (raw: string, name: string) => {
  if (!values.includes(raw)) throw new ConfigError(`${name}: must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
};

const SETTINGS: Record<keyof Config, Setting> = {
  dataDir: { flag: 'data-dir', env: 'RNGSEAL_DATA_DIR', parse: text },
  host: { flag: 'host', env: 'RNGSEAL_HOST', parse: text },
  port: { flag: 'port', env: 'RNGSEAL_PORT', parse: int(0, 65535) },
  keyFile: { flag: 'key', env: 'RNGSEAL_KEY_FILE', parse: text },
  source: { flag: 'source', env: 'RNGSEAL_SOURCE', parse: (raw, name) => {
    try {
      parseSourceSpec(raw);
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
    return raw;
  } },
  healthAlpha: { flag: 'health-alpha', env: 'RNGSEAL_HEALTH_ALPHA', parse: int(20, 40) },
  reseedMs: { flag: 'reseed-ms', env: 'RNGSEAL_RESEED_MS', parse: int(100, 86_400_000) },
  reseedCount: { flag: 'reseed-count', env: 'RNGSEAL_RESEED_COUNT', parse: int(1, 1_000_000_000) },
  store: { flag: 'store', env: 'RNGSEAL_STORE', parse: text },
  chain: { flag: 'chain', env: 'RNGSEAL_CHAIN', parse: (raw, name) => {
    if (!/^[A-Za-z0-9._:-]{1,128}$/.test(raw)) throw new ConfigError(`${name}: 1–128 characters of A-Z a-z 0-9 . _ : -`);
    return raw;
  } },
  verifyFull: { flag: 'verify-full', env: 'RNGSEAL_VERIFY_FULL', parse: bool },
  verifyTail: { flag: 'verify-tail', env: 'RNGSEAL_VERIFY_TAIL', parse: int(1, 1e9) },
  logLevel: { flag: 'log-level', env: 'RNGSEAL_LOG_LEVEL', parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) },
  maxBatch: { flag: 'max-batch', env: 'RNGSEAL_MAX_BATCH', parse: int(1, 100_000) },
  sweepMs: { flag: 'sweep-ms', env: 'RNGSEAL_SWEEP_MS', parse: int(10, 3_600_000) },
  origin: { flag: 'origin', env: 'RNGSEAL_ORIGIN', parse: (raw, name) => {
    // The origin is the first line of every checkpoint and the name in the log's verifier key.
    if (!isValidKeyName(raw) || raw.length > 256) throw new ConfigError(`${name}: 1–256 characters, no spaces, no "+", no control characters`);
    return raw;
  } },
  checkpointEvery: { flag: 'checkpoint-every', env: 'RNGSEAL_CHECKPOINT_EVERY', parse: int(1, 1_000_000_000) },
  checkpointMs: { flag: 'checkpoint-ms', env: 'RNGSEAL_CHECKPOINT_MS', parse: int(10, 86_400_000) },
  leaseMs: { flag: 'lease-ms', env: 'RNGSEAL_LEASE_MS', parse: int(300, 600_000) },
  instance: { flag: 'instance', env: 'RNGSEAL_INSTANCE', parse: (raw, name) => {
    if (!/^[A-Za-z0-9._:-]{1,64}$/.test(raw)) throw new ConfigError(`${name}: 1–64 characters of A-Z a-z 0-9 . _ : -`);
    return raw;
  } },
  selfTestMs: { flag: 'self-test-ms', env: 'RNGSEAL_SELF_TEST_MS', parse: intOrOff(100, 86_400_000) },
  selfTestBits: { flag: 'self-test-bits', env: 'RNGSEAL_SELF_TEST_BITS', parse: multipleOf(SEQUENCE_BITS, 100 * SEQUENCE_BITS) },
};

/** Flags accepted by `rngseal serve`, for node:util parseArgs. */
export const SERVE_OPTIONS = Object.fromEntries(
  Object.values(SETTINGS).map((s) => [s.flag, { type: s.parse === bool ? ('boolean' as const) : ('string' as const) }]),
);

/** Builds the config from parsed flags and the environment. @throws ConfigError */
export function loadConfig(flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS)) {
    const flag = flags[s.flag];
    const raw = flag === undefined ? env[s.env] : String(flag);
    if (raw !== undefined) values[key] = s.parse(raw, `--${s.flag} (${s.env})`);
  }
  const dataDir = resolve((values.dataDir as string | undefined) ?? 'rngseal-data');
  return {
    dataDir,
    host: '127.0.0.1',
    port: 8080,
    keyFile: resolve(dataDir, 'signing-key.pem'),
    source: defaultSource(),
    healthAlpha: 20,
    reseedMs: 60_000,
    reseedCount: 100_000,
    store: resolve(dataDir, 'rngseal.db'),
    chain: null,
    verifyFull: false,
    verifyTail: 1000,
    logLevel: 'info',
    maxBatch: 4096,
    sweepMs: 1000,
    origin: null,
    checkpointEvery: 1000,
    checkpointMs: 10_000,
    leaseMs: 10_000,
    instance: null,
    selfTestMs: 900_000,
    selfTestBits: SEQUENCE_BITS,
    ...values,
  } as Config;
}

/** SHA-256 of the canonical config for the boot record. Credentials in a store URL are dropped. */
export function configDigest(config: Config): string {
  const store = config.store.replace(/\/\/[^@/]*@/, '//');
  return createHash('sha256').update(canonicalize({ ...config, store })).digest('hex');
}

/** `--flag (ENV)` help lines. */
export function settingsHelp(): string {
  return Object.values(SETTINGS).map((s) => `  --${s.flag.padEnd(16)} ${s.env}`).join('\n');
}
