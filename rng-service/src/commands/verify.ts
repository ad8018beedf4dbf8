/**
 * @module commands/verify
 * `rngseal verify FILE --key KEY`: checks one round offline, or one receipt
 * (a round with inclusion proofs against a signed checkpoint). Exit 0
 * verified, 3 pending (epoch not revealed yet), 1 failed.
 * `rngseal verify --page OUT.html` writes the verifier page for a browser.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { parsePublicKey, parseVerifierKey, verifyReceipt, verifyRound, VerifyError, type LogRecord, type Round, type RoundVerdict } from '@rngseal/verifier';
import { opensslVerify } from '../chain-check.js';
import { BUILD_HINT, readVerifyPage } from '../verify-page-file.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal verify ROUND.json --key KEY [--key KEY…]
       rngseal verify RECEIPT.json --key VKEY [--key VKEY…]
       rngseal verify --page OUT.html
  ROUND.json: {"outcome": …, "commit": …, "reveal": …} as GET /v1/rounds/{requestId} returns it
              (or one outcome record); - reads standard input
  RECEIPT.json: as GET /v1/receipts/{requestId} returns it (the round, a signed checkpoint
              and each record's inclusion proof)
  KEY: the operator's Ed25519 public key, hex or base64 (GET /v1/keys publicKey)
  VKEY: the log's verifier key, name+id+key (GET /v1/keys vkey); it checks the
        checkpoint and the records (one per signing key the log has had)
  --page OUT.html: write the verifier page, one self-contained HTML file that
        checks a receipt in a browser, offline (docs/verify-page.md)`;

export async function verifyCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { key: { type: 'string', multiple: true }, page: { type: 'string' } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if (values.page !== undefined) return writePage(values.page, positionals.length > 0 || values.key !== undefined);
    if (positionals.length !== 1) throw new UsageError('give one round or receipt file');
    if (!values.key?.length) throw new UsageError('--key is required: verification trusts only the key you give');
    const value = readJson(positionals[0]!);
    try {
      return report(isReceipt(value) ? checkReceipt(value, values.key) : verifyRound(toRound(value), values.key.map((k) => parsePublicKey(k, '--key')), opensslVerify));
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      process.stdout.write(`FAILED ${err.check}: ${err.message}\n`);
      return 1;
    }
  });
}

async function writePage(out: string, withOthers: boolean): Promise<number> {
  if (withOthers) throw new UsageError('--page takes no round file and no --key: the page asks for them');
  if (out === '') throw new UsageError('--page: give the file to write');
  const page = await readVerifyPage();
  if (page === null) throw new Error(`the verifier page is not built; ${BUILD_HINT}`);
  try {
    writeFileSync(out, page);
  } catch (err) {
    throw new Error(`--page: ${(err as Error).message}`);
  }
  process.stdout.write(`wrote ${out}: open it in a browser, offline; it checks a receipt with the verifier key you give it\n`);
  return 0;
}

/** Several --key: a log whose signing key was replaced has one vkey per key, all of one origin. */
function checkReceipt(receipt: Record<string, unknown>, keys: string[]): RoundVerdict {
  if (!keys.every((k) => k.includes('+'))) {
    throw new UsageError('a receipt is checked with the log\'s verifier keys (--key name+id+key, GET /v1/keys vkey)');
  }
  let vkeys;
  try {
    vkeys = keys.map((k) => parseVerifierKey(k, '--key'));
    if (vkeys.some((k) => k.name !== vkeys![0]!.name)) throw new Error('--key: verifier keys of two logs');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return verifyReceipt(receipt as never, vkeys, opensslVerify);
}

function report(verdict: RoundVerdict): number {
  for (const c of verdict.checks) process.stdout.write(`  ok  ${c}\n`);
  process.stdout.write(`results: ${JSON.stringify(verdict.results)}\n`);
  if (verdict.status === 'pending') {
    process.stdout.write(`PENDING record ${verdict.seq}: signed and committed; the epoch's seed is not revealed yet\n`);
    return 3;
  }
  process.stdout.write(`VERIFIED record ${verdict.seq}\n`);
  return 0;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message}`);
  }
}

function isReceipt(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && 'checkpoint' in value && 'proofs' in value;
}

function toRound(value: unknown): Round {
  const v = value as Record<string, unknown>;
  if (v && typeof v === 'object' && 'outcome' in v) return v as unknown as Round;
  return { outcome: v as unknown as LogRecord };
}
