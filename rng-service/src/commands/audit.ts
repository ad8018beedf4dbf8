/**
 * @module commands/audit
 * `rngseal audit`: walks a whole chain — an NDJSON export or a running
 * service's /v1/export — through the verifier's ChainAuditor. A file is read
 * twice: first for the reveals, so outcomes are recomputed as they stream by
 * instead of being held until their epoch's reveal.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { ChainAuditor, fromHex, parsePublicKey, parseRecord, VerifyError, type AuditReport, type RevealBody } from '@rngseal/verifier';
import { opensslVerify } from '../chain-check.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal audit EXPORT.ndjson [--key KEY…]
       rngseal audit --url http://host:port [--chain ID] [--key KEY…]
  Without --key, keys announced in the log's own boot records are trusted (said in the report).`;

export async function auditCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { key: { type: 'string', multiple: true }, url: { type: 'string' }, chain: { type: 'string' } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if ((positionals.length === 1) === Boolean(values.url)) throw new UsageError('give an export file or --url');
    const keys = (values.key ?? []).map((k) => parsePublicKey(k, '--key'));
    const lines = values.url ? () => urlLines(values.url!, values.chain) : () => fileLines(positionals[0]!);
    const seeds = values.url ? new Map<string, Uint8Array>() : await collectReveals(lines());
    const auditor = new ChainAuditor({ keys, verifySignature: opensslVerify, seeds });
    let lineNo = 0;
    try {
      for await (const line of lines()) {
        lineNo++;
        if (line.length > 0) auditor.push(parseRecord(line));
      }
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      const where = err.seq === undefined ? ` (line ${lineNo})` : '';
      process.stdout.write(`FAILED ${err.check}: ${err.message}${where}\n`);
      return 1;
    }
    printReport(auditor.finish());
    return 0;
  });
}

function printReport(r: AuditReport): void {
  if (r.records === 0) {
    process.stdout.write('FAILED: no records\n');
    return;
  }
  process.stdout.write(
    `OK chain ${r.chain}: ${r.records} records, seq ${r.firstSeq}–${r.lastSeq}, head ${r.headHash}\n` +
      `   ${r.outcomes} outcome records (${r.draws} draws) recomputed; ${r.epochsRevealed} epochs revealed and matched\n` +
      (r.epochsOpen.length ? `   ${r.epochsOpen.length} epochs still open: their outcomes are signed but not yet recomputable\n` : '') +
      (r.trustedOnFirstUse ? '   WARNING: no --key given; trusted the keys announced in the log itself\n' : ''),
  );
}

async function collectReveals(lines: AsyncIterable<string>): Promise<Map<string, Uint8Array>> {
  const seeds = new Map<string, Uint8Array>();
  for await (const line of lines) {
    if (!line.includes('"type":"reveal"')) continue;
    try {
      const body = (JSON.parse(line) as { body: RevealBody }).body;
      seeds.set(body.epoch, fromHex(body.seed));
    } catch {
      // Malformed lines are reported by the main pass, with their seq.
    }
  }
  return seeds;
}

function fileLines(path: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(path), crlfDelay: Infinity });
}

async function* urlLines(base: string, chain?: string): AsyncGenerator<string> {
  const url = new URL('/v1/export', base);
  if (chain) url.searchParams.set('chain', chain);
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new UsageError(`${url}: HTTP ${response.status}`);
  yield* createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity });
}
