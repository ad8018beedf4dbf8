/**
 * Input documents for the lab report tests, made the way the lab commands
 * make them: a capture manifest for a byte string, the NIST summary of
 * those bytes (summarise() on runBattery), an outcome report of a dice CSV
 * (analyseOutcomes), and a dieharder report parsed from recorded dieharder
 * output (fixtures/dieharder) by runDieharder.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runDieharder } from '../../src/dieharder/index.js';
import { runBattery, unpackBits } from '../../src/nist/index.js';
import { summarise } from '../../src/nist/summary.js';
import { analyseOutcomes, parseOutcomeCsv } from '../../src/outcomes/index.js';
import type { InputDocument, OutcomesDocument } from '../../src/report/index.js';
import { sha256Stream } from './reference.js';
import { TestRng } from './outcomes-rng.js';

export const BITS = 4096;
export const SEQUENCES = 12;
export const SOFTWARE = { name: 'rngseal', version: '0.1.0', digest: 'ab'.repeat(32) };

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
/** A document as read back from its file. */
const reread = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

export function captureManifest(bytes: Uint8Array, file = 'drbg.bin'): Record<string, unknown> {
  return reread({
    tool: 'rngseal capture',
    command: ['rngseal', 'capture', '--source', 'sim:seed=1', '--stage', 'conditioned', '--bytes', String(bytes.length), '--out', file],
    software: SOFTWARE,
    stage: 'conditioned',
    source: 'sim:seed=1',
    sources: [{ kind: 'sim', path: 'seed=1', description: 'simulator (deterministic SHA-256 stream, NOT random): seed=1', sampleBits: 8, minEntropy: 8 }],
    file,
    bytes: bytes.length,
    sha256: sha256(bytes),
    started: '2025-03-01T10:00:00.000Z',
    finished: '2025-03-01T10:00:01.500Z',
    seconds: 1.5,
    options: { healthAlpha: '2^-20', reseedMs: 60000, reseedCount: 100000 },
  });
}

/** The bytes a NIST run tests, and the summary `certify nist` writes for them. */
export function nistSummary(bytes = sha256Stream('lab-report', (SEQUENCES * BITS) / 8)): { bytes: Uint8Array; json: Record<string, unknown> } {
  const perSequence = Array.from({ length: SEQUENCES }, (_, s) =>
    runBattery(unpackBits(bytes.subarray((s * BITS) / 8, ((s + 1) * BITS) / 8)), { tests: ['Frequency', 'CumulativeSums', 'Runs', 'Universal'] }),
  );
  return { bytes, json: reread(summarise(perSequence, { bits: BITS, extra: { bitsSha256: sha256(bytes), software: SOFTWARE } })) };
}

/** A dice CSV as `capture --stage outcomes` writes it, and its `certify outcomes` document. */
export function outcomesDocument(count = 600): { csv: string; json: Record<string, unknown> } {
  const rng = new TestRng('lab-report');
  const rows = Array.from({ length: count }, () => `${1 + rng.below(6)} ${1 + rng.below(6)}`);
  const csv = `game=dice@1,count=2,sides=6\n${rows.join('\n')}\n`;
  const doc: OutcomesDocument = {
    tool: 'rngseal certify outcomes',
    input: 'dice.csv',
    sha256: sha256(csv),
    alpha: 0.01,
    software: SOFTWARE,
    command: ['rngseal', 'certify', 'outcomes', '--input', 'dice.csv', '--json', 'outcomes.json'],
    ...analyseOutcomes(parseOutcomeCsv(csv)),
  };
  return { csv, json: reread(doc) };
}

const FIXTURES = fileURLToPath(new URL('../fixtures/dieharder/', import.meta.url));

/** runDieharder's report on recorded dieharder output: birthdays (PASSED) and sts_serial (PASSED and WEAK rows, left unresolved). */
export async function dieharderReport(): Promise<Record<string, unknown>> {
  const outputs = ['stdin-birthdays', 'stdin-sts-serial'].map((f) => readFileSync(`${FIXTURES}${f}.stdout`, 'utf8'));
  const report = await runDieharder({
    tests: [0, 102],
    input: { command: 'unused' },
    resolve: false,
    execute: async () => ({ stdout: outputs.shift()!, stderr: '', exitCode: 0, signal: null }),
  });
  return reread(report);
}

export function document(kind: InputDocument['kind'], path: string, json: unknown): InputDocument {
  return { kind, path, sha256: sha256(JSON.stringify(json)), json };
}
