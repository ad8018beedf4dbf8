/**
 * @module commands/audit
 * `rngseal audit`: verifies a whole chain — an NDJSON export or a running
 * service's /v1/export — on worker threads, in constant memory
 * (audit/parallel-audit.ts): every link, seq, hash and signature, commit
 * before use, nonces, every reveal against its commitment, every outcome
 * recomputed, and every checkpoint's note and root, recomputed from the
 * records before it (so successive checkpoints are consistent).
 *
 * The input is read twice: first for the reveals, so outcomes are
 * recomputed as they stream by instead of being held until their epoch's
 * reveal. A service is audited up to the head it has when the audit starts,
 * and its export fetched twice. A progress line goes to stderr when stderr
 * is a terminal.
 */

import { availableParallelism } from 'node:os';
import { parsePublicKey, parseVerifierKey, type AuditReport } from '@rngseal/verifier';
import { fileInput, serviceInput } from '../audit/input.js';
import { auditParallel } from '../audit/parallel-audit.js';
import { ProgressLine } from '../audit/progress.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal audit EXPORT.ndjson [--key KEY…] [--threads N]
       rngseal audit --url http://host:port [--chain ID] [--key KEY…] [--threads N]
  KEY: an Ed25519 public key (hex or base64), or the log's verifier key
       (name+id+key, GET /v1/keys vkey), which also names the checkpoint origin.
  Without --key, keys announced in the log's own boot records are trusted (said in the report).
  --threads  worker threads checking records (default: one per core, here ${availableParallelism()})
  --url      audits the chain up to its head when the audit starts (its export is read twice)`;

const MAX_THREADS = 256;

export async function auditCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, {
      key: { type: 'string', multiple: true }, url: { type: 'string' }, chain: { type: 'string' }, threads: { type: 'string' },
    }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if ((positionals.length === 1) === Boolean(values.url)) throw new UsageError('give an export file or --url');
    const threads = parseThreads(values.threads);
    const { keys, origin } = parseKeys(values.key ?? []);
    const input = values.url ? await serviceInput(values.url, values.chain) : fileInput(positionals[0]!);
    const progress = process.stderr.isTTY ? new ProgressLine(process.stderr, input) : null;
    const outcome = await auditParallel(input, {
      keys, threads, ...(origin ? { origin } : {}),
      ...(progress ? { onProgress: (phase, records, bytes) => progress.update(phase, records, bytes) } : {}),
    }).finally(() => progress?.clear());
    if (!outcome.ok) {
      const { error, line } = outcome;
      const where = error.seq === undefined && line !== null ? ` (line ${line})` : '';
      process.stdout.write(`FAILED ${error.check}: ${error.message}${where}\n`);
      return 1;
    }
    return printReport(outcome.report);
  });
}

function parseThreads(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > MAX_THREADS) throw new UsageError(`--threads: must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(text)}`);
  return n;
}

/** Public keys, and verifier keys, whose name is the checkpoint origin. */
export function parseKeys(texts: string[]): { keys: Uint8Array[]; origin: string | null } {
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

/** Prints the verdict; returns the exit code. */
function printReport(r: AuditReport): number {
  if (r.records === 0) {
    process.stdout.write('FAILED: no records\n');
    return 1;
  }
  process.stdout.write(
    `OK chain ${r.chain}: ${r.records} records, seq ${r.firstSeq}–${r.lastSeq}, head ${r.headHash}\n` +
      `   ${r.outcomes} outcome records (${r.draws} draws) recomputed; ${r.epochsRevealed} epochs revealed and matched\n` +
      (r.checkpoints ? `   ${r.checkpoints} checkpoints of ${r.origin}: signatures valid, roots recomputed from the records (so each extends the one before)\n` : '   no checkpoints\n') +
      (r.epochsOpen.length ? `   ${r.epochsOpen.length} epochs still open: their outcomes are signed but not yet recomputable\n` : '') +
      (r.selfTests ? `   ${r.selfTests} SP 800-22 self-test records (${r.selfTestFailures} failed): verdicts and policy states recomputed from their p-values\n` : '') +
      (r.trustedOnFirstUse ? '   WARNING: no --key given; trusted the keys announced in the log itself\n' : ''),
  );
  return 0;
}
