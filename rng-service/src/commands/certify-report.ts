/**
 * @module commands/certify-report
 * `rngseal certify report`: one self-contained HTML lab report
 * (docs/lab-report.md) from the JSON the other lab commands write — capture
 * manifests, `certify nist` and `certify outcomes` JSON, dieharder reports
 * from scripts/dieharder/run.mjs. Each flag may be repeated; the report pins
 * every input file by its SHA-256.
 */

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { labReport } from '@rngseal/certification';
import { softwareIdentity } from '../software.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal certify report --out FILE.html [--title TEXT]
                             [--capture FILE.json]… [--nist nist.json]… [--dieharder dh.json]… [--outcomes out.json]…
  One self-contained HTML page (no external resources): metadata (device and software identity,
  capture sizes and SHA-256, dates, command lines), result tables, p-value histograms and the
  proportion chart per NIST run. Give at least one input; each flag may be repeated.
  --capture    a capture manifest (FILE.json, written by rngseal capture next to FILE)
  --nist       rngseal certify nist --json output
  --dieharder  scripts/dieharder/run.mjs --json output
  --outcomes   rngseal certify outcomes --json output
  --out        the HTML file to write (overwritten)
  Exit status 0 when the report was written; 1 when an input cannot be read or is not what its flag says; 2 on a usage error.`;

const KINDS = ['capture', 'nist', 'dieharder', 'outcomes'] as const;

const FLAGS = {
  out: { type: 'string' },
  title: { type: 'string' },
  capture: { type: 'string', multiple: true },
  nist: { type: 'string', multiple: true },
  dieharder: { type: 'string', multiple: true },
  outcomes: { type: 'string', multiple: true },
} as const;

export async function certifyReportCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, FLAGS, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    if (!values.out) throw new UsageError('--out: required (the HTML file to write)');
    if (values.title === '') throw new UsageError('--title: must not be empty');
    const documents = KINDS.flatMap((kind) => (values[kind] ?? []).map((path) => readDocument(kind, path)));
    if (documents.length === 0) throw new UsageError('give at least one input: --capture, --nist, --dieharder or --outcomes');

    let report: labReport.LabReport;
    try {
      report = labReport.buildLabReport({
        ...(values.title !== undefined && { title: values.title }),
        generated: new Date().toISOString(),
        software: softwareIdentity(),
        command: ['rngseal', 'certify', 'report', ...args],
        documents,
      });
    } catch (err) {
      if (!(err instanceof labReport.ReportInputError)) throw err;
      const kind = documents.find((d) => d.path === err.document)?.kind;
      throw new Error(`--${kind} ${err.message}`);
    }
    const html = labReport.labReportHtml(report);
    try {
      writeFileSync(values.out, html);
    } catch (err) {
      throw new Error(`--out ${values.out}: ${(err as Error).message}`);
    }
    const sections = [`${report.captures.length} capture(s)`, `${report.nist.length} NIST run(s)`, `${report.dieharder.length} dieharder report(s)`, `${report.outcomes.length} outcome report(s)`];
    process.stderr.write(`report: ${sections.join(', ')} → ${values.out} (${Buffer.byteLength(html)} bytes)\n`);
    return 0;
  });
}

function readDocument(kind: labReport.InputKind, path: string): labReport.InputDocument {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`--${kind} ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new Error(`--${kind} ${path}: not JSON: ${(err as Error).message}`);
  }
  return { kind, path, sha256: createHash('sha256').update(bytes).digest('hex'), json };
}
