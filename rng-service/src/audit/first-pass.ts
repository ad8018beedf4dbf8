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
 * Only lines holding `"type":"reveal"` or `"type":"boot"` are parsed. Inside
 * a JSON string every quote is escaped, so the pattern appears unescaped
 * only as a member; the line's own top-level type is checked after parsing.
 */

import { fromHex, keyId, type BootBody, type LogRecord, type RevealBody } from '@rngseal/verifier';

export interface FirstPass {
  /** Epoch → seed, from the first reveal of each epoch. */
  seeds: Map<string, Uint8Array>;
  /** Key id → the public key the first boot record naming it announces. */
  announced: Map<string, Uint8Array>;
}

const REVEAL = Buffer.from('"type":"reveal"');
const BOOT = Buffer.from('"type":"boot"');

/** Reads chunks of whole lines (chunks.ts); `onChunk` is told each chunk's size as it is done. */
export async function firstPass(chunks: AsyncIterable<Uint8Array>, onChunk?: (bytes: number) => void): Promise<FirstPass> {
  const found: FirstPass = { seeds: new Map(), announced: new Map() };
  for await (const chunk of chunks) {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    for (const pattern of [REVEAL, BOOT]) {
      for (let at = bytes.indexOf(pattern); at >= 0; ) {
        const start = bytes.lastIndexOf(0x0a, at) + 1;
        const newline = bytes.indexOf(0x0a, at);
        const end = newline < 0 ? bytes.length : newline;
        note(found, bytes.toString('utf8', start, end));
        at = newline < 0 ? -1 : bytes.indexOf(pattern, end);
      }
    }
    onChunk?.(chunk.length);
  }
  return found;
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
