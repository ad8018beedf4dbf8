/**
 * @module report/model
 * What a lab report says, assembled from the input documents (inputs.ts):
 * metadata, verdicts, and the data behind each plot. html.ts only renders
 * it.
 *
 * NIST verdicts are those of nist/summary.ts (sts's final analysis): a
 * sub-test is ok when its pass count lies within sts's integer bounds and
 * its uniformity P-value, where there is one, is ≥ 0.0001. Outcome tests
 * (one p-value each) fail when p < α. dieharder's assessment is its own
 * (after WEAK resolution, dieharder/run.ts).
 *
 * Documents are linked by content, not by name: a NIST run whose tested
 * bits hash to a capture's SHA-256 tested all of that capture, and an
 * outcome report whose CSV hashes to a capture's SHA-256 read that capture.
 */

import { acceptableProportion } from '../nist/analysis.js';
import {
  readCaptureManifest, readDieharderReport, readNistSummary, readOutcomesDocument,
  type CaptureManifest, type DieharderInput, type NistSummaryInput, type OutcomeEntryInput, type SoftwareStamp,
} from './inputs.js';

export type InputKind = 'capture' | 'nist' | 'dieharder' | 'outcomes';

export interface InputDocument {
  kind: InputKind;
  /** As given on the command line. */
  path: string;
  /** SHA-256 of the file's bytes, so the report pins what it was made from. */
  sha256: string;
  json: unknown;
}

export interface LabReportOptions {
  title?: string;
  /** When the report was made (ISO 8601). */
  generated: string;
  software?: SoftwareStamp;
  command?: string[];
  documents: InputDocument[];
}

/** sts flags a uniformity P-value below this. */
export const UNIFORMITY_THRESHOLD = 0.0001;

export type Verdict = 'passed' | 'FAILED' | 'not applicable';

export interface NistSubtest {
  label: string;
  passing: number;
  counted: number;
  minPassing: number;
  maxPassing: number;
  /** SP 800-22's acceptable proportion range for `counted` sequences; null when none counted. */
  range: { min: number; max: number } | null;
  uniformity: number | null;
  proportionOk: boolean;
  uniformityOk: boolean;
  verdict: Verdict;
  histogram: number[];
}

export interface NistTest {
  name: string;
  verdict: Verdict;
  subtests: NistSubtest[];
  /** C1 … C10 summed over the sub-tests: every p-value the test gave. */
  histogram: number[];
}

/** A capture a result document is linked to by content. */
export interface CaptureLink {
  /** The data file, as its manifest names it. */
  file: string;
  manifest: string;
}

export interface NistRun extends Omit<NistSummaryInput, 'tests'> {
  path: string;
  /** The capture whose SHA-256 equals bitsSha256: the run tested all of it. */
  capture?: CaptureLink;
  tests: NistTest[];
}

export interface DieharderRun extends DieharderInput {
  path: string;
  counts: Record<'PASSED' | 'WEAK' | 'FAILED', number>;
}

export interface OutcomeRow extends OutcomeEntryInput {
  verdict: Verdict;
}

export interface OutcomesRun {
  path: string;
  input: string;
  sha256: string;
  /** The capture whose SHA-256 equals the CSV's. */
  capture?: CaptureLink;
  alpha: number;
  mapping: string;
  outcomes: number;
  software?: SoftwareStamp;
  command?: string[];
  rows: OutcomeRow[];
}

export interface LabReport {
  title: string;
  generated: string;
  software?: SoftwareStamp;
  command?: string[];
  inputs: { kind: InputKind; path: string; sha256: string }[];
  captures: (CaptureManifest & { path: string })[];
  nist: NistRun[];
  dieharder: DieharderRun[];
  outcomes: OutcomesRun[];
}

/** @throws ReportInputError naming the document and field when a document is not what its kind says. */
export function buildLabReport(options: LabReportOptions): LabReport {
  const of = (kind: InputKind) => options.documents.filter((d) => d.kind === kind);
  const captures = of('capture').map((d) => ({ ...readCaptureManifest(d.path, d.json), path: d.path }));
  const captureBySha = (sha: string | undefined): CaptureLink | undefined => {
    const c = captures.find((x) => x.sha256 === sha);
    return c && { file: c.file, manifest: c.path };
  };
  return {
    title: options.title ?? 'RNG lab report',
    generated: options.generated,
    ...(options.software && { software: options.software }),
    ...(options.command && { command: options.command }),
    inputs: options.documents.map(({ kind, path, sha256 }) => ({ kind, path, sha256 })),
    captures,
    nist: of('nist').map((d) => nistRun(d.path, readNistSummary(d.path, d.json), captureBySha)),
    dieharder: of('dieharder').map((d) => dieharderRun(d.path, readDieharderReport(d.path, d.json))),
    outcomes: of('outcomes').map((d) => {
      const doc = readOutcomesDocument(d.path, d.json);
      const capture = captureBySha(doc.sha256);
      const { entries, ...rest } = doc;
      return { path: d.path, ...rest, ...(capture && { capture }), rows: entries.map((e) => ({ ...e, verdict: outcomeVerdict(e, doc.alpha) })) };
    }),
  };
}

function nistRun(path: string, summary: NistSummaryInput, captureBySha: (sha: string | undefined) => CaptureLink | undefined): NistRun {
  const capture = captureBySha(summary.bitsSha256);
  return {
    path,
    ...summary,
    ...(capture && { capture }),
    tests: summary.tests.map((t) => {
      const subtests = t.subtests.map((s, k): NistSubtest => {
        const counted = s.counted > 0;
        const proportionOk = counted && s.passing >= s.minPassing && s.passing <= s.maxPassing;
        const uniformityOk = s.uniformity === null || s.uniformity >= UNIFORMITY_THRESHOLD;
        return {
          ...s,
          label: t.subtests.length > 1 ? `${t.name} #${k + 1}` : t.name,
          range: counted ? acceptableProportion(s.counted, summary.alpha) : null,
          proportionOk,
          uniformityOk,
          verdict: !counted ? 'not applicable' : proportionOk && uniformityOk ? 'passed' : 'FAILED',
        };
      });
      const counted = subtests.filter((s) => s.verdict !== 'not applicable');
      return {
        name: t.name,
        verdict: counted.length === 0 ? 'not applicable' : counted.every((s) => s.verdict === 'passed') ? 'passed' : 'FAILED',
        subtests,
        histogram: Array.from({ length: 10 }, (_, b) => subtests.reduce((sum, s) => sum + s.histogram[b]!, 0)),
      };
    }),
  };
}

function dieharderRun(path: string, input: DieharderInput): DieharderRun {
  const counts = { PASSED: 0, WEAK: 0, FAILED: 0 };
  for (const r of input.results) counts[r.assessment]++;
  return { path, ...input, counts };
}

/** An outcome test fails when p < α; a skipped one is not applicable. */
export function outcomeVerdict(entry: { result?: { pValue: number } }, alpha: number): Verdict {
  if (!entry.result) return 'not applicable';
  return entry.result.pValue < alpha ? 'FAILED' : 'passed';
}
