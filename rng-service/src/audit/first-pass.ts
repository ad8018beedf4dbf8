/**
 * @module audit/first-pass
 * The first read of an export, for two hints: the seed of every reveal (so
 * the second read recomputes outcomes as they stream by, instead of holding
 * them until their epoch's reveal), and the key each boot record announces
 * (so that, trusting on first use, worker threads check signatures before
 * the main thread has reached the boot record). Hints only: the audit checks
 * every reveal and boot record again in sequence, and fails where the two
 * reads disagree. Memory: one seed per epoch, one key per key id.
 *
 * Only a line whose type is reveal or boot is parsed, told by its last
 * bytes: in a canonical record `type` is the second-last member. A line
 * that is not canonical gives no hint, and the second read fails it on
 * FORMAT, as the one-thread audit does. The read pieces are searched where
 * they lie (only a line across two pieces is copied): this pass is the
 * audit's one stretch on one core.
 */

import { fromHex, keyId, type BootBody, type LogRecord, type RevealBody } from '@rngseal/verifier';

export interface FirstPass {
  /** Epoch → seed, from the first reveal of each epoch. */
  seeds: Map<string, Uint8Array>;
  /** Key id → the public key the first boot record naming it announces. */
  announced: Map<string, Uint8Array>;
}

/** A canonical record ends `"type":"<type>","v":<version>}`. */
const TYPE_ENDINGS = ['reveal', 'boot'].map((type) => Buffer.from(`"type":"${type}","v":`));

/** Reads the input's pieces as they come; `onPiece` is told each piece's size as it is done. */
export async function firstPass(pieces: AsyncIterable<Uint8Array>, onPiece?: (bytes: number) => void): Promise<FirstPass> {
  const found: FirstPass = { seeds: new Map(), announced: new Map() };
  let carry: Buffer | null = null; // the start of a line the last piece did not end
  for await (const piece of pieces) {
    const bytes = Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    let start = 0;
    for (let newline = bytes.indexOf(0x0a); newline >= 0; start = newline + 1, newline = bytes.indexOf(0x0a, start)) {
      if (carry) {
        const line = Buffer.concat([carry, bytes.subarray(0, newline)]);
        examineLine(found, line, 0, line.length);
        carry = null;
      } else {
        examineLine(found, bytes, start, newline);
      }
    }
    carry = carry ? Buffer.concat([carry, bytes.subarray(start)]) : Buffer.from(bytes.subarray(start));
    onPiece?.(piece.length);
  }
  if (carry && carry.length > 0) examineLine(found, carry, 0, carry.length);
  return found;
}

/** Notes the line bytes[start, end) if it ends as a reveal or boot record does. */
function examineLine(found: FirstPass, bytes: Buffer, start: number, end: number): void {
  if (bytes[end - 1] === 0x0d) end--; // CRLF, as the second read takes it
  if (bytes[end - 1] !== 0x7d) return; // }
  let digits = end - 1;
  while (digits > start && bytes[digits - 1]! >= 0x30 && bytes[digits - 1]! <= 0x39) digits--;
  for (const ending of TYPE_ENDINGS) {
    const at = digits - ending.length;
    if (at >= start && ending.compare(bytes, at, digits) === 0) return note(found, bytes.toString('utf8', start, end));
  }
}

function note(found: FirstPass, line: string): void {
  try {
    const record = JSON.parse(line) as LogRecord;
    if (record.type === 'reveal') {
      const { epoch, seed } = record.body as unknown as RevealBody;
      if (typeof epoch === 'string' && !found.seeds.has(epoch)) found.seeds.set(epoch, fromHex(seed));
    } else if (record.type === 'boot') {
      const key = fromHex((record.body as unknown as BootBody).publicKey);
      if (key.length === 32 && keyId(key) === record.key && !found.announced.has(record.key)) found.announced.set(record.key, key);
    }
  } catch {
    // A malformed line fails the second read, which names its seq or line.
  }
}
