/**
 * @module commands/audit
 * `rngseal audit`: walks a whole chain — an NDJSON export or a running
 * service's /v1/export — through the verifier's ChainAuditor. A file is read
 * twice: first for the reveals, so outcomes are recomputed as they stream by
 * instead of being held until their epoch's reveal.
 *
 * Every checkpoint record is checked against the Merkle tree recomputed from
 * the records before it; its note must open under the log's key, named by
 * the origin of a --key verifier key or else by the first checkpoint's origin.
 */

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import {
  ChainAuditor, fromHex, parsePublicKey, parseRecord, parseVerifierKey, VerifyError, type AuditReport, type RevealBody,
} from '@rngseal/verifier';
import { opensslVerify } from '../chain-check.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal audit EXPORT.ndjson [--key KEY…]
       rngseal audit --url http://host:port [--chain ID] [--key KEY…]
  KEY: an Ed25519 public key (hex or base64), or the log's verifier key
       (name+id+key, GET /v1/keys vkey), which also names the checkpoint origin.
  Without --key, keys announced in the log's own boot records are trusted (said in the report).`;

export async function auditCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { key: { type: 'string', multiple: true }, url: { type: 'string' }, chain: { type: 'string' } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if ((positionals.length === 1) === Boolean(values.url)) throw new UsageError('give an export file or --url');
    const { keys, origin } = parseKeys(values.key ?? []);
    const lines = values.url ? () => urlLines(values.url!, values.chain) : () => fileLines(positionals[0]!);
    const seeds = values.url ? new Map<string, Uint8Array>() : await collectReveals(lines());
    const auditor = new ChainAuditor({ keys, verifySignature: opensslVerify, seeds, ...(origin ? { origin } : {}) });
    let lineNo = 0;
    try {
      for await (const line of lines()) {
        lineNo++;
        if (line.length > 0) auditor.push(parseRecord(line), line);
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

/** Public keys, and verifier keys, whose name is the checkpoint origin. */
function parseKeys(texts: string[]): { keys: Uint8Array[]; origin: string | null } {
  let origin: string | null = null;
  const keys = texts.map((text) => {
    if (!text.includes('+')) return parsePublicKey(text, '--key');
    const vkey = parseVerifierKey(text, '--key');
    if (origin !== null && origin !== vkey.name) throw new UsageError(`--key: verifier keys for two origins (${origin}, ${vkey.name})`);
    origin = vkey.name;
    return vkey.publicKey;
  });
  return { keys, origin };
}

function printReport(r: AuditReport): void {
  if (r.records === 0) {
    process.stdout.write('FAILED: no records\n');
    return;
  }
  process.stdout.write(
    `OK chain ${r.chain}: ${r.records} records, seq ${r.firstSeq}–${r.lastSeq}, head ${r.headHash}\n` +
      `   ${r.outcomes} outcome records (${r.draws} draws) recomputed; ${r.epochsRevealed} epochs revealed and matched\n` +
      (r.checkpoints ? `   ${r.checkpoints} checkpoints of ${r.origin}: signatures valid, roots recomputed from the records (so each extends the one before)\n` : '   no checkpoints\n') +
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
