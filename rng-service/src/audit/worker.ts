/**
 * @module audit/worker
 * Worker thread of the parallel audit (pool.ts): cuts each chunk it is sent
 * into lines, parses each line strictly and examines the record alone
 * (verifier record-facts.ts), and posts the facts back in order. Started
 * from the compiled file (dist/audit/worker.js), never from the source.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { examineRecord, keyId, parseRecord, VerifyError, type ExamineOptions, type RecordFacts } from '@rngseal/verifier';
import { cachedKeyVerifier, nodeHashing, nodeMac } from '../node-crypto.js';
import { encodeFacts, toWireError, type ChunkJob, type ChunkReply, type WorkerSetup } from './wire.js';

const port = parentPort;
if (!port) throw new Error('audit/worker must be started as a worker thread (see audit/pool.ts)');
const setup = workerData as WorkerSetup;

const keyById = new Map<string, Uint8Array>();
const keyIndex = new Map<Uint8Array, number>();
setup.keys.forEach((key, i) => {
  keyIndex.set(key, i);
  const id = keyId(key);
  if (!keyById.has(id)) keyById.set(id, key);
});
const seeds = new Map(setup.seeds);
const options: ExamineOptions = {
  keyFor: (id) => keyById.get(id),
  seedFor: (epoch) => seeds.get(epoch),
  checkBodies: setup.checkBodies,
  holdUnseeded: setup.holdUnseeded,
  verify: cachedKeyVerifier(),
  mac: nodeMac,
  hashing: nodeHashing,
};

port.on('message', (job: ChunkJob) => {
  let reply: ChunkReply;
  try {
    reply = examineChunk(job);
  } catch (err) {
    reply = { facts: [], leaves: new ArrayBuffer(0), lines: 0, failure: null, crash: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, [reply.leaves]);
});

function examineChunk(job: ChunkJob): ChunkReply {
  const lines = Buffer.from(job.buffer, 0, job.length).toString('utf8').split('\n');
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
