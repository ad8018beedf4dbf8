/**
 * @module report/inputs
 * The JSON documents a lab report is assembled from, as the other lab
 * commands write them (docs/lab-report.md), read strictly (json-reader.ts):
 *
 * - capture manifest — `rngseal capture` writes it next to the data as FILE.json;
 * - NIST summary — `rngseal certify nist --json` (nist/summary.ts);
 * - dieharder report — `scripts/dieharder/run.mjs --json` (dieharder/run.ts);
 * - outcome-test report — `rngseal certify outcomes --json` (OutcomesDocument).
 *
 * Only the fields the report shows are read; the per-sequence p-values of a
 * NIST summary are not (its histograms and proportions carry them).
 */

import type { Assessment, DieharderResult } from '../dieharder/parse.js';
import type { BatteryReport } from '../outcomes/battery.js';
import { JsonField } from './json-reader.js';

/** Which build wrote a document: package name, version, SHA-256 over the installed code. */
export interface SoftwareStamp {
  name: string;
  version: string;
  digest: string;
}

export interface DeviceIdentity {
  kind: string;
  description: string;
  path?: string;
  usb?: string;
  serial?: string;
  firmware?: string;
  sampleBits?: number;
  minEntropy?: number;
}

export interface CaptureManifest {
  stage: string;
  /** The --source spec. */
  source: string;
  devices: DeviceIdentity[];
  file: string;
  bytes: number;
  sha256: string;
  started: string;
  seconds: number;
  finished?: string;
  software?: SoftwareStamp;
  command?: string[];
  /** Raw stage: FIPS 140-2 blocks. */
  fips?: { passed: number; rejected: number; startupBytes: number };
  /** Outcomes stage. */
  outcomes?: { count: number; mapping: string };
}

export interface NistSubtestInput {
  passing: number;
  counted: number;
  minPassing: number;
  maxPassing: number;
  uniformity: number | null;
  /** C1 … C10. */
  histogram: number[];
}

export interface NistSummaryInput {
  bits: number;
  sequences: number;
  alpha: number;
  bitsSha256?: string;
  software?: SoftwareStamp;
  tests: { name: string; subtests: NistSubtestInput[] }[];
}

/** A dieharder result row as scripts/dieharder/run.mjs writes it: the parsed line, and the rerun that resolved a WEAK one. */
export type DieharderRowInput = Omit<DieharderResult, 'seed'> & { resolvedAfter?: number };

export interface DieharderInput {
  results: DieharderRowInput[];
  /** WEAK groups that stayed WEAK, and why. */
  unresolved: { test: string; ntup?: number; reason: string }[];
  runs: number;
}

/** What `rngseal certify outcomes` writes: the battery's report on one outcome CSV, and where it came from. */
export interface OutcomesDocument extends BatteryReport {
  tool: 'rngseal certify outcomes';
  /** The CSV as given on the command line. */
  input: string;
  /** SHA-256 of the CSV file (equal to its capture manifest's sha256). */
  sha256: string;
  /** Significance level: a test with p < alpha is FAILED. */
  alpha: number;
  software?: SoftwareStamp;
  command?: string[];
}

export interface OutcomeEntryInput {
  label: string;
  skipped?: string;
  result?: { name: string; statistic: number | null; df: number | null; pValue: number; n: number; warnings: string[] };
}

export interface OutcomesInput {
  input: string;
  sha256: string;
  alpha: number;
  mapping: string;
  outcomes: number;
  software?: SoftwareStamp;
  command?: string[];
  entries: OutcomeEntryInput[];
}

const ASSESSMENTS: readonly Assessment[] = ['PASSED', 'WEAK', 'FAILED'];

function software(f: JsonField): SoftwareStamp {
  return { name: f.get('name').string(), version: f.get('version').string(), digest: f.get('digest').string() };
}

function command(f: JsonField): string[] {
  return f.items().map((a) => a.string());
}

function sha256(f: JsonField): string {
  const s = f.string();
  return /^[0-9a-f]{64}$/.test(s) ? s : f.fail(`expected 64 lowercase hex digits (SHA-256), got ${JSON.stringify(s.slice(0, 70))}`);
}

export function readCaptureManifest(document: string, json: unknown): CaptureManifest {
  const root = new JsonField(document, json);
  const raw = root.get('raw');
  const outcomes = root.get('outcomes');
  const out: CaptureManifest = {
    stage: root.get('stage').string(),
    source: root.get('source').string(),
    devices: root.get('sources').items().map((d) => ({
      kind: d.get('kind').string(),
      description: d.get('description').string(),
      ...optionalStrings(d, ['path', 'usb', 'serial', 'firmware'] as const),
      ...(d.get('sampleBits').present && { sampleBits: d.get('sampleBits').count() }),
      ...(d.get('minEntropy').present && { minEntropy: d.get('minEntropy').number() }),
    })),
    file: root.get('file').string(),
    bytes: root.get('bytes').count(),
    sha256: sha256(root.get('sha256')),
    started: root.get('started').string(),
    seconds: root.get('seconds').number(),
  };
  const finished = root.get('finished').optional((f) => f.string());
  if (finished !== undefined) out.finished = finished;
  const stamp = root.get('software').optional(software);
  if (stamp) out.software = stamp;
  const argv = root.get('command').optional(command);
  if (argv) out.command = argv;
  if (raw.present) out.fips = { passed: raw.get('blocksPassed').count(), rejected: raw.get('blocksRejected').count(), startupBytes: raw.get('startupBytes').count() };
  if (outcomes.present) out.outcomes = { count: outcomes.get('count').count(), mapping: outcomes.get('mapping').string() };
  return out;
}

function optionalStrings<K extends string>(f: JsonField, keys: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const k of keys) {
    const v = f.get(k).optional((x) => x.string());
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function readNistSummary(document: string, json: unknown): NistSummaryInput {
  const root = new JsonField(document, json);
  const out: NistSummaryInput = {
    bits: root.get('bits').count(),
    sequences: root.get('sequences').count(),
    alpha: root.get('alpha').probability(),
    tests: root.get('tests').items().map((t) => {
      const proportion = t.get('proportion').items();
      const uniformity = t.get('uniformity').items(proportion.length);
      const histogram = t.get('histogram').items(proportion.length);
      return {
        name: t.get('name').string(),
        subtests: proportion.map((p, k) => ({
          passing: p.get('passing').count(),
          counted: p.get('counted').count(),
          minPassing: p.get('minPassing').count(),
          maxPassing: p.get('maxPassing').count(),
          uniformity: uniformity[k]!.optional((u) => u.probability()) ?? null,
          histogram: histogram[k]!.items(10).map((c) => c.count()),
        })),
      };
    }),
  };
  const digest = root.get('bitsSha256').optional(sha256);
  if (digest) out.bitsSha256 = digest;
  const stamp = root.get('software').optional(software);
  if (stamp) out.software = stamp;
  return out;
}

export function readDieharderReport(document: string, json: unknown): DieharderInput {
  const root = new JsonField(document, json);
  return {
    results: root.get('results').items().map((r) => {
      const row: DieharderRowInput = {
        test: r.get('test').string(),
        ntup: r.get('ntup').count(),
        tsamples: r.get('tsamples').count(),
        psamples: r.get('psamples').count(),
        pvalue: r.get('pvalue').probability(),
        assessment: r.get('assessment').oneOf(ASSESSMENTS),
      };
      const after = r.get('resolvedAfter').optional((f) => f.count());
      if (after !== undefined) row.resolvedAfter = after;
      return row;
    }),
    unresolved: root.get('resolutions').items().flatMap((res) => {
      const reason = res.get('unresolved').optional((f) => f.string());
      if (reason === undefined) return [];
      const ntup = res.get('ntup').optional((f) => f.count());
      return [{ test: res.get('test').string(), reason, ...(ntup !== undefined && { ntup }) }];
    }),
    runs: root.get('runs').count(),
  };
}

export function readOutcomesDocument(document: string, json: unknown): OutcomesInput {
  const root = new JsonField(document, json);
  root.get('tool').oneOf(['rngseal certify outcomes']);
  const out: OutcomesInput = {
    input: root.get('input').string(),
    sha256: sha256(root.get('sha256')),
    alpha: root.get('alpha').probability(),
    mapping: root.get('mapping').string(),
    outcomes: root.get('outcomes').count(),
    entries: root.get('entries').items().map((e) => {
      const entry: OutcomeEntryInput = { label: e.get('label').string() };
      const skipped = e.get('skipped').optional((f) => f.string());
      if (skipped !== undefined) entry.skipped = skipped;
      const r = e.get('result');
      if (r.present) {
        entry.result = {
          name: r.get('name').string(),
          statistic: r.get('statistic').optional((f) => f.number()) ?? null, // JSON turns an impossible observation's χ² = ∞ into null
          df: r.get('df').optional((f) => f.count()) ?? null,
          pValue: r.get('pValue').probability(),
          n: r.get('n').count(),
          warnings: r.get('warnings').items().map((w) => w.string()),
        };
      }
      if (!entry.result && entry.skipped === undefined) e.fail('expected a result or a skipped reason');
      return entry;
    }),
  };
  const stamp = root.get('software').optional(software);
  if (stamp) out.software = stamp;
  const argv = root.get('command').optional(command);
  if (argv) out.command = argv;
  return out;
}
