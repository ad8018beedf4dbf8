/**
 * @module web/recompute
 * The outcome's draws recomputed in the page, shown beside the signed
 * results so a player sees the game result come out of the key material
 * (the revealed seed, or a direct draw's recorded entropy) and the client
 * seed. Display only: the verdict is verifyReceipt's, which recomputes the
 * same way (fairness.ts checkDraws).
 */

import { canonicalize, computeDraws, floatValue, fromHex, mappingById, type Draw } from '@rngseal/verifier';

export interface DrawComparison {
  index: number;
  mapping: string;
  params: string;
  nonce: number;
  /** As the signed record states it. */
  signed: string;
  /** As this page computes it, or why it cannot. */
  recomputed: { result: string } | { unavailable: string };
}

interface OutcomeLike {
  body?: { epoch?: unknown; entropy?: unknown; clientSeed?: unknown; draws?: unknown };
}

/** The draws of the receipt's outcome, each recomputed; or why there are none to show. */
export function recomputeDraws(receiptText: string): DrawComparison[] | string {
  let receipt: { outcome?: OutcomeLike; reveal?: { body?: { seed?: unknown } } | null };
  try {
    receipt = JSON.parse(receiptText);
  } catch {
    return 'the receipt is not JSON';
  }
  const body = receipt?.outcome?.body;
  if (!body || !Array.isArray(body.draws)) return 'the receipt has no outcome draws';
  const key = keyMaterial(body, receipt.reveal?.body?.seed);
  const clientSeed = typeof body.clientSeed === 'string' ? body.clientSeed : '';
  return (body.draws as Draw[]).map((draw, index) => ({
    index,
    mapping: String(draw?.mapping),
    params: display(draw?.params),
    nonce: draw?.nonce,
    signed: display(draw?.result, draw?.mapping),
    recomputed: typeof key === 'string' ? { unavailable: key } : recompute(key, clientSeed, draw),
  }));
}

/** A direct draw's recorded entropy, or the epoch's revealed seed. */
function keyMaterial(body: NonNullable<OutcomeLike['body']>, seed: unknown): Uint8Array | string {
  try {
    if (body.epoch === null) return fromHex(body.entropy as string, 'entropy');
    if (seed === undefined || seed === null) return "the epoch's seed is not revealed yet";
    return fromHex(seed as string, 'seed');
  } catch (err) {
    return (err as Error).message;
  }
}

function recompute(key: Uint8Array, clientSeed: string, draw: Draw): DrawComparison['recomputed'] {
  const mapping = mappingById(draw?.mapping);
  if (!mapping) return { unavailable: `unknown mapping ${JSON.stringify(draw?.mapping)}` };
  const problem = mapping.validate(draw.params);
  if (problem) return { unavailable: `params.${problem}` };
  if (!Number.isSafeInteger(draw.nonce) || draw.nonce < 0) return { unavailable: 'nonce: not a valid nonce' };
  const [again] = computeDraws(key, clientSeed, draw.nonce, [{ mapping: draw.mapping, params: draw.params }]);
  return { result: display(again!.result, draw.mapping) };
}

/** Canonical JSON; a float@1 integer also as the number it stands for. */
function display(value: unknown, mapping?: unknown): string {
  let text: string;
  try {
    text = canonicalize(value);
  } catch {
    return String(value);
  }
  if (typeof mapping === 'string' && mapping.startsWith('float@') && typeof value === 'number') {
    try {
      return `${text} (= ${floatValue(value)})`;
    } catch {
      return text;
    }
  }
  return text;
}
