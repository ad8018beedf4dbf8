/**
 * @module commands/verify
 * `rngseal verify ROUND.json --key KEY`: checks one round offline. Exit 0
 * verified, 3 pending (epoch not revealed yet), 1 failed.
 */

import { readFileSync } from 'node:fs';
import { parsePublicKey, verifyRound, VerifyError, type LogRecord, type Round } from '@rngseal/verifier';
import { opensslVerify } from '../chain-check.js';
import { parse, run, UsageError } from './args.js';

const USAGE = `usage: rngseal verify ROUND.json --key KEY [--key KEY…]
  ROUND.json: {"outcome": …, "commit": …, "reveal": …} as GET /v1/rounds/{requestId} returns it
              (or one outcome record); - reads standard input
  KEY: the operator's Ed25519 public key, hex or base64 (GET /v1/keys)`;

export async function verifyCommand(args: string[]): Promise<number> {
  return run(USAGE, async () => {
    const { values, positionals } = parse(args, { key: { type: 'string', multiple: true } }, true);
    if (values.help) return (process.stdout.write(`${USAGE}\n`), 0);
    if (positionals.length !== 1) throw new UsageError('give one round file');
    if (!values.key?.length) throw new UsageError('--key is required: verification trusts only the key you give');
    const keys = values.key.map((k) => parsePublicKey(k, '--key'));
    const round = readRound(positionals[0]!);
    try {
      const verdict = verifyRound(round, keys, opensslVerify);
      for (const c of verdict.checks) process.stdout.write(`  ok  ${c}\n`);
      process.stdout.write(`results: ${JSON.stringify(verdict.results)}\n`);
      if (verdict.status === 'pending') {
        process.stdout.write(`PENDING record ${verdict.seq}: signed and committed; the epoch's seed is not revealed yet\n`);
        return 3;
      }
      process.stdout.write(`VERIFIED record ${verdict.seq}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      process.stdout.write(`FAILED ${err.check}: ${err.message}\n`);
      return 1;
    }
  });
}

function readRound(path: string): Round {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message}`);
  }
  const v = value as Record<string, unknown>;
  if (v && typeof v === 'object' && 'outcome' in v) return v as unknown as Round;
  return { outcome: v as unknown as LogRecord };
}
