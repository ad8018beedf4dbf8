/**
 * @module audit/examine-chunk
 * What an audit worker thread (worker.ts) does with each chunk it is sent:
 * cuts it into lines, parses each line strictly and examines the record
 * alone (verifier record-facts.ts), and returns the facts in order, ready
 * to post (wire.ts). Kept apart from the thread's wiring so that it can be
 * measured and tested in one thread.
 */

import { examineRecord, parseRecord, VerifyError, type ExamineOptions, type RecordFacts } from '@rngseal/verifier';
import { encodeFacts, toWireError, type ChunkReply } from './wire.js';

/** `keyIndex` maps each key `options.keyFor` gives to its index in the keys both threads were given (wire.ts). */
export function examineChunk(chunk: Uint8Array, options: ExamineOptions, keyIndex: Map<Uint8Array, number>): ChunkReply {
  const lines = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('utf8').split('\n');
  // A chunk ends at a newline, except the input's last line.
  if (lines.at(-1) === '') lines.pop();
  const facts: RecordFacts[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length === 0) continue;
    let record;
    try {
      record = parseRecord(line);
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      return { ...encodeFacts(facts, keyIndex), lines: lines.length, failure: { line: i, error: toWireError(err) } };
    }
    facts.push(examineRecord(record, line, options));
  }
  return { ...encodeFacts(facts, keyIndex), lines: lines.length, failure: null };
}
