/**
 * @module round
 * Verifies one round as a player holds it: the outcome record, and for a
 * seeded epoch its commit and (once published) reveal. Needs no network and
 * trusts nothing but the public key the player was given.
 */

import { fromHex } from './bytes.js';
import type { CommitBody, OutcomeBody, RevealBody } from './bodies.js';
import type { Json } from './canonical.js';
import { clientSeedProblem } from './client-seed.js';
import { VerifyError } from './errors.js';
import { checkDraws, commitmentOf } from './fairness.js';
import { keyId, nobleVerify } from './keys.js';
import { checkRecordSignature, type LogRecord, type SignatureVerifier } from './record.js';

export interface Round {
  outcome: LogRecord;
  commit?: LogRecord | null;
  reveal?: LogRecord | null;
}

export interface RoundVerdict {
  /** `pending`: signatures and commitment order hold, but the seed is not revealed yet. */
  status: 'verified' | 'pending';
  seq: number;
  results: Json[];
  /** What was checked, in order, for display. */
  checks: string[];
}

/** @throws VerifyError naming the failed check */
export function verifyRound(round: Round, publicKeys: Uint8Array[], verify: SignatureVerifier = nobleVerify): RoundVerdict {
  const keys = new Map(publicKeys.map((k) => [keyId(k), k]));
  const checks: string[] = [];
  const signed = (record: LogRecord, what: string) => {
    const key = keys.get(record.key);
    if (!key) throw new VerifyError('KEY', `${what} is signed by key ${record.key}, not a key you gave`, record.seq);
    checkRecordSignature(record, key, verify);
    checks.push(`${what} record ${record.seq}: hash and signature valid`);
  };
  const { outcome } = round;
  if (outcome?.type !== 'outcome') throw new VerifyError('FORMAT', 'round has no outcome record');
  signed(outcome, 'outcome');
  const body = outcome.body as unknown as OutcomeBody;
  const verdict = (status: RoundVerdict['status']): RoundVerdict => ({ status, seq: outcome.seq, results: body.draws.map((d) => d.result), checks });

  if (body.epoch === null) {
    const key = hexField(body.entropy, outcome.seq, 'entropy');
    body.draws.forEach((d, i) => {
      if (d.nonce !== i) throw new VerifyError('OUTCOME', `draw ${i}: direct draws use nonce ${i}`, outcome.seq);
    });
    checkDraws(key, body.clientSeed, body.draws, outcome.seq);
    checks.push('direct draw: every result recomputed from the recorded entropy');
    return verdict('verified');
  }

  const commit = round.commit;
  if (!commit) throw new VerifyError('COMMIT', `the commit of epoch ${body.epoch} is missing`, outcome.seq);
  signed(commit, 'commit');
  const commitBody = commit.body as unknown as CommitBody;
  if (commit.type !== 'commit' || commitBody.epoch !== body.epoch || commit.chain !== outcome.chain) {
    throw new VerifyError('COMMIT', `record ${commit.seq} is not the commit of epoch ${body.epoch}`, outcome.seq);
  }
  if (commit.seq >= outcome.seq) throw new VerifyError('COMMIT', 'the commitment was not logged before the outcome', outcome.seq);
  const problem = clientSeedProblem(body.clientSeed);
  if (problem) throw new VerifyError('OUTCOME', `clientSeed ${problem}`, outcome.seq);
  checks.push(`commitment logged at seq ${commit.seq}, before the outcome`);

  const reveal = round.reveal;
  if (!reveal) return verdict('pending');
  signed(reveal, 'reveal');
  const revealBody = reveal.body as unknown as RevealBody;
  if (reveal.type !== 'reveal' || revealBody.epoch !== body.epoch || reveal.chain !== outcome.chain || reveal.seq <= outcome.seq) {
    throw new VerifyError('REVEAL', `record ${reveal.seq} is not a later reveal of epoch ${body.epoch}`, outcome.seq);
  }
  const seed = hexField(revealBody.seed, reveal.seq, 'seed');
  if (seed.length !== 32 || commitmentOf(seed) !== commitBody.commitment) {
    throw new VerifyError('REVEAL', 'the revealed seed does not match the commitment', reveal.seq);
  }
  if (body.draws.some((d) => d.nonce >= revealBody.nonces)) throw new VerifyError('REVEAL', 'the reveal does not cover this outcome\'s nonces', reveal.seq);
  checks.push(`revealed seed matches the commitment (reveal at seq ${reveal.seq})`);
  checkDraws(seed, body.clientSeed, body.draws, outcome.seq);
  checks.push('every result recomputed from the seed, client seed and nonce');
  return verdict('verified');
}

function hexField(value: unknown, seq: number, field: string): Uint8Array {
  try {
    return fromHex(value as string, field);
  } catch (err) {
    throw new VerifyError('FORMAT', (err as Error).message, seq);
  }
}
