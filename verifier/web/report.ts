/**
 * @module web/report
 * What the verifier page shows for one receipt, without touching the DOM:
 * verifyReceipt's verdict laid out as the four stages it runs in order
 * (docs/PROTOCOL.md §8.6), so a failure names its check and every stage
 * before it is known to have passed, and the outcome's draws recomputed
 * beside the signed results (recompute.ts).
 */

import { parseVerifierKey, verifyReceipt, VerifyError, type VerifierKey, type VerifyCheck } from '@rngseal/verifier';
import { recomputeDraws, type DrawComparison } from './recompute.js';

export type Stage = 'format' | 'checkpoint' | 'inclusion' | 'round';
export type StageState = 'pass' | 'fail' | 'pending' | 'not-checked';

export interface StageRow {
  stage: Stage;
  title: string;
  state: StageState;
  /** The failed check's code, on the failed row only. */
  check?: VerifyCheck;
  detail: string;
}

export type Report =
  | { kind: 'input-error'; field: 'receipt' | 'vkey'; message: string }
  | {
      kind: 'verdict';
      status: 'verified' | 'pending' | 'failed';
      rows: StageRow[];
      /** What verifyReceipt says it checked (only when it passed). */
      checked: string[];
      draws: DrawComparison[] | string;
    };

/** In verifyReceipt's order: a failure at one stage means every earlier stage passed. */
const STAGES: ReadonlyArray<{ stage: Stage; title: string }> = [
  { stage: 'format', title: 'The receipt is well-formed' },
  { stage: 'checkpoint', title: 'The checkpoint is signed by this key, for this log' },
  { stage: 'inclusion', title: "Each record is in the checkpoint's tree (inclusion proofs)" },
  { stage: 'round', title: 'The round: record signatures, commitment before play, reveal, every result recomputed' },
];

export function reportReceipt(receiptText: string, vkeyText: string): Report {
  if (receiptText.trim() === '') return { kind: 'input-error', field: 'receipt', message: 'receipt: paste or drop the receipt JSON' };
  const key = readKey(vkeyText);
  if (typeof key === 'string') return { kind: 'input-error', field: 'vkey', message: key };
  const draws = recomputeDraws(receiptText);
  try {
    const verdict = verifyReceipt(receiptText, key);
    const pending = verdict.status === 'pending';
    const rows = STAGES.map(({ stage, title }): StageRow => {
      if (stage === 'round' && pending) {
        return { stage, title, state: 'pending', detail: "signatures and commitment hold; the epoch's seed is not revealed yet, so the results cannot be recomputed" };
      }
      return { stage, title, state: 'pass', detail: '' };
    });
    return { kind: 'verdict', status: verdict.status, rows, checked: verdict.checks, draws };
  } catch (err) {
    const failed = err instanceof VerifyError ? stageOf(err) : 'round';
    const at = STAGES.findIndex((s) => s.stage === failed);
    const rows = STAGES.map(({ stage, title }, i): StageRow => {
      if (i < at) return { stage, title, state: 'pass', detail: '' };
      if (i > at) return { stage, title, state: 'not-checked', detail: 'not checked: verification stops at the first failure' };
      const check = err instanceof VerifyError ? err.check : undefined;
      return { stage, title, state: 'fail', ...(check ? { check } : {}), detail: (err as Error).message };
    });
    return { kind: 'verdict', status: 'failed', rows, checked: [], draws };
  }
}

function readKey(text: string): VerifierKey | string {
  const vkey = text.trim();
  if (vkey === '') return "verifier key: enter the log's verifier key (vkey), name+id+key";
  try {
    return parseVerifierKey(vkey, 'verifier key');
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * FORMAT errors of the receipt envelope carry no seq and start "receipt:";
 * a FORMAT error of a record (its shape, a hex field) belongs to the round.
 */
function stageOf(err: VerifyError): Stage {
  if (err.check === 'CHECKPOINT') return 'checkpoint';
  if (err.check === 'INCLUSION') return 'inclusion';
  if (err.check === 'FORMAT' && err.seq === undefined && err.message.startsWith('receipt:')) return 'format';
  return 'round';
}
