/**
 * @module commands/certify-outcomes
 * `rngseal certify outcomes`: the outcome-level tests
 * (certification/src/outcomes/) on an outcome CSV from `rngseal capture
 * --stage outcomes`, as JSON for the lab report (an OutcomesDocument: the
 * battery's entries, the CSV's SHA-256, α, software identity, command line)
 * and a one-line-per-test summary.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { labReport, outcomes } from '@rngseal/certification';
import { softwareIdentity } from '../software.js';
import { parse, run, UsageError, writeJsonAndSummary } from './args.js';

/** As SP 800-22's α: a test with p < 0.01 is reported FAILED. */
const ALPHA = 0.01;

const USAGE = `usage: rngseal certify outcomes --input FILE.csv [--json OUT]
  Runs the outcome-level tests (χ² against the game's exact distribution, serial correlation,
  runs, gap, poker, coupon collector) on an outcome CSV written by rngseal capture --stage outcomes.
  --json OUT   the results as JSON, for rngseal certify report (default: stdout; the summary then goes to stderr)
  A test with p < ${ALPHA} is FAILED. Exit status 0 when the tests ran, whatever their verdict;
  1 on an unreadable CSV; 2 on a usage error.`;

export async function certifyOutcomesCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { input: { type: 'string' }, json: { type: 'string' } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (!values.input) throw new UsageError('--input: required (an outcome CSV from rngseal capture --stage outcomes)');
    if (values.json === '') throw new UsageError('--json: must be a file name, or - for stdout');

    const bytes = readInput(values.input);
    let report: outcomes.BatteryReport;
    try {
      report = outcomes.analyseOutcomes(outcomes.parseOutcomeCsv(bytes.toString('utf8')));
    } catch (err) {
      if (!(err instanceof SyntaxError || err instanceof RangeError)) throw err;
      throw new Error(`--input ${values.input}: ${err.message}`);
    }
    const document: labReport.OutcomesDocument = {
      tool: 'rngseal certify outcomes',
      input: values.input,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      alpha: ALPHA,
      software: softwareIdentity(),
      command: ['rngseal', 'certify', 'outcomes', ...args],
      ...report,
    };
    const json = `${JSON.stringify(document, null, 2)}\n`;
    const summary = summaryText(document);
    writeJsonAndSummary(values.json, json, summary);
    return 0;
  });
}

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`--input ${path}: ${(err as Error).message}`);
  }
}

function summaryText(doc: labReport.OutcomesDocument): string {
  const lines = doc.entries.map((entry) => {
    const verdict = labReport.outcomeVerdict(entry, doc.alpha);
    const p = entry.result ? `p = ${entry.result.pValue.toFixed(6)}` : `skipped: ${entry.skipped}`;
    return `${verdict.padEnd(14)} ${entry.label}: ${p}`;
  });
  const verdicts = doc.entries.map((x) => labReport.outcomeVerdict(x, doc.alpha));
  const failed = doc.entries.filter((_, i) => verdicts[i] === 'FAILED').map((x) => x.label);
  const passed = verdicts.filter((v) => v === 'passed').length;
  return `${doc.mapping}: ${doc.outcomes} outcomes from ${doc.input}\n${lines.join('\n')}\n${passed} of ${verdicts.length} tests passed${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}\n`;
}
