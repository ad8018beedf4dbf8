/**
 * @module test/report-model
 * The lab report's model from the documents the lab commands write:
 * verdicts as sts / the outcome battery / dieharder give them, documents
 * linked to their capture by SHA-256, and strict reading — a document of
 * the wrong kind or with a broken field is refused naming file and field.
 */

import { describe, expect, it } from 'vitest';
import { buildLabReport, readCaptureManifest, ReportInputError, type InputDocument } from '../src/report/index.js';
import { BITS, captureManifest, dieharderReport, document, nistSummary, outcomesDocument, SEQUENCES, SOFTWARE } from './helpers/report-documents.js';

const build = (documents: InputDocument[]) => buildLabReport({ generated: '2025-03-01T12:00:00Z', software: SOFTWARE, documents });

/** The ReportInputError buildLabReport throws for these documents. */
function inputError(documents: InputDocument[]): ReportInputError {
  try {
    build(documents);
  } catch (err) {
    if (err instanceof ReportInputError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('the report model', () => {
  const nist = nistSummary();
  const outcomes = outcomesDocument();

  it('takes NIST verdicts and counts from the summary, and links the run to the capture it tested all of', () => {
    const report = build([document('capture', 'drbg.bin.json', captureManifest(nist.bytes)), document('nist', 'nist.json', nist.json)]);
    const run = report.nist[0]!;
    expect(run).toMatchObject({ path: 'nist.json', bits: BITS, sequences: SEQUENCES, alpha: 0.01, software: SOFTWARE, capture: { file: 'drbg.bin', manifest: 'drbg.bin.json' } });
    const summaryTests = nist.json.tests as { name: string; passed: boolean; applicable: boolean; proportion: { passing: number; counted: number }[] }[];
    expect(run.tests.map((t) => t.name)).toEqual(summaryTests.map((t) => t.name));
    run.tests.forEach((t, i) => {
      const s = summaryTests[i]!;
      expect(t.verdict, t.name).toBe(!s.applicable ? 'not applicable' : s.passed ? 'passed' : 'FAILED');
      expect(t.subtests.map((x) => [x.passing, x.counted])).toEqual(s.proportion.map((p) => [p.passing, p.counted]));
      expect(t.histogram.reduce((a, b) => a + b, 0)).toBe(s.proportion.reduce((a, p) => a + p.counted, 0));
    });
    expect(run.tests.find((t) => t.name === 'Universal')!.verdict).toBe('not applicable'); // needs far more than 4096 bits
    expect(run.tests.find((t) => t.name === 'CumulativeSums')!.subtests.map((s) => s.label)).toEqual(['CumulativeSums #1', 'CumulativeSums #2']);
  });

  it('links nothing when the hashes differ', () => {
    const other = captureManifest(new Uint8Array(10));
    expect(build([document('capture', 'x.json', other), document('nist', 'nist.json', nist.json)]).nist[0]!.capture).toBeUndefined();
  });

  it('fails an outcome test with p < α, keeps skipped tests as not applicable, links the CSV capture', () => {
    const csvCapture = { ...captureManifest(Buffer.from(outcomes.csv), 'dice.csv'), stage: 'outcomes', outcomes: { count: 600, mapping: 'dice@1', params: { count: 2, sides: 6 } } };
    const entries = outcomes.json.entries as { label: string; result?: { pValue: number } }[];
    const doc = { ...outcomes.json, entries: [...entries, { label: 'made up: chi-square', skipped: 'too few values' }] };
    const run = build([document('capture', 'dice.csv.json', csvCapture), document('outcomes', 'outcomes.json', doc)]).outcomes[0]!;
    expect(run).toMatchObject({ mapping: 'dice@1', outcomes: 600, alpha: 0.01, capture: { file: 'dice.csv', manifest: 'dice.csv.json' } });
    expect(run.rows.map((r) => r.verdict)).toEqual([...entries.map((e) => (e.result!.pValue < 0.01 ? 'FAILED' : 'passed')), 'not applicable']);
    const strict = build([document('outcomes', 'o.json', { ...doc, alpha: 0.9 })]).outcomes[0]!;
    expect(strict.rows.filter((r) => r.verdict === 'FAILED').length).toBe(entries.filter((e) => e.result!.pValue < 0.9).length);
  });

  it('counts dieharder assessments row by row, and names WEAK results left unresolved', async () => {
    const json = await dieharderReport(); // the fixtures' rows: birthdays PASSED; sts_serial 24 PASSED, 6 WEAK
    const run = build([document('dieharder', 'dh.json', json)]).dieharder[0]!;
    expect(run.results.map((r) => r.test)).toEqual(['diehard_birthdays', ...new Array(30).fill('sts_serial')]);
    expect(run.counts).toEqual({ PASSED: 25, WEAK: 6, FAILED: 0 });
    expect(run.results[0]).toMatchObject({ ntup: 0, tsamples: 100, psamples: 10, pvalue: 0.89240588, assessment: 'PASSED' });
    expect(run.unresolved).toEqual([]);
    const resolutions = [
      { test: 'sts_serial', attempts: [], final: 'PASSED' },
      { test: 'sts_serial', ntup: 10, attempts: [], final: 'WEAK', unresolved: 'still WEAK at 1600 psamples' },
    ];
    const weak = build([document('dieharder', 'dh.json', { ...json, resolutions })]).dieharder[0]!;
    expect(weak.unresolved).toEqual([{ test: 'sts_serial', ntup: 10, reason: 'still WEAK at 1600 psamples' }]);
  });

  it('reads the device identity and dates of a capture manifest', () => {
    const c = readCaptureManifest('drbg.bin.json', captureManifest(nist.bytes));
    expect(c.devices).toEqual([{ kind: 'sim', path: 'seed=1', description: 'simulator (deterministic SHA-256 stream, NOT random): seed=1', sampleBits: 8, minEntropy: 8 }]);
    expect(c).toMatchObject({ bytes: nist.bytes.length, started: '2025-03-01T10:00:00.000Z', finished: '2025-03-01T10:00:01.500Z', software: SOFTWARE });
  });
});

describe('documents that are not what their flag says', () => {
  const nist = nistSummary();
  const tests = () => structuredClone(nist.json.tests) as Record<string, unknown>[];

  it.each<[string, InputDocument, string]>([
    ['a capture manifest given as NIST', document('nist', 'm.json', captureManifest(new Uint8Array(4))), 'm.json: bits: expected a number, got nothing'],
    ['a NIST summary given as a capture', document('capture', 'n.json', nist.json), 'n.json: stage: expected a string, got nothing'],
    ['a NIST summary given as outcomes', document('outcomes', 'n.json', nist.json), 'n.json: tool: expected a string, got nothing'],
    ['not an object', document('dieharder', 'd.json', [1, 2]), 'd.json: (document): expected an object, got an array'],
    ['a histogram of 9 bins', document('nist', 'n.json', { ...nist.json, tests: tests().map((t, i) => (i === 2 ? { ...t, histogram: [[1, 2, 3, 4, 5, 6, 7, 8, 9]] } : t)) }), 'n.json: tests[2].histogram[0]: expected 10 entries, got 9'],
    ['a p-value above 1', document('nist', 'n.json', { ...nist.json, tests: tests().map((t, i) => (i === 1 ? { ...t, uniformity: [0.5, 1.5] } : t)) }), 'n.json: tests[1].uniformity[1]: expected a number from 0 to 1, got number 1.5'],
    ['a negative count', document('nist', 'n.json', { ...nist.json, tests: tests().map((t, i) => (i === 0 ? { ...t, proportion: [{ passing: -1, counted: 12, minPassing: 10, maxPassing: 12 }] } : t)) }), 'n.json: tests[0].proportion[0].passing: expected a non-negative integer, got number -1'],
    ['uniformity and proportion of different lengths', document('nist', 'n.json', { ...nist.json, tests: tests().map((t, i) => (i === 1 ? { ...t, uniformity: [0.5] } : t)) }), 'n.json: tests[1].uniformity: expected 2 entries, got 1'],
    ['a bad SHA-256', document('capture', 'c.json', { ...captureManifest(new Uint8Array(4)), sha256: 'abc' }), 'c.json: sha256: expected 64 lowercase hex digits (SHA-256), got "abc"'],
    ['an unknown dieharder assessment', document('dieharder', 'd.json', { results: [{ test: 't', ntup: 0, tsamples: 1, psamples: 1, pvalue: 0.5, assessment: 'OK' }], resolutions: [], runs: 1 }), 'd.json: results[0].assessment: expected one of PASSED, WEAK, FAILED, got the string "OK"'],
    ['an outcome entry with neither result nor reason', document('outcomes', 'o.json', { ...outcomesDocument(100).json, entries: [{ label: 'x' }] }), 'o.json: entries[0]: expected a result or a skipped reason'],
  ])('%s', (_, doc, message) => {
    const err = inputError([doc]);
    expect(err.message).toBe(message);
    expect(err.document).toBe(doc.path);
  });
});
