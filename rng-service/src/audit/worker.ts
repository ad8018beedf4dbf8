/**
 * @module audit/worker
 * Worker thread of the parallel audit (pool.ts): examines each chunk it is
 * sent (examine-chunk.ts) and posts the facts back in order. Started from
 * the compiled file (dist/audit/worker.js), never from the source.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { keyId, type ExamineOptions } from '@rngseal/verifier';
import { cachedKeyVerifier, nodeHashing, nodeMac } from '../node-crypto.js';
import { examineChunk } from './examine-chunk.js';
import { encodeFacts, transferList, type ChunkJob, type ChunkReply, type WorkerSetup } from './wire.js';

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
    reply = examineChunk(new Uint8Array(job.buffer, 0, job.length), options, keyIndex);
  } catch (err) {
    reply = { ...encodeFacts([], keyIndex), lines: 0, failure: null, crash: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, transferList(reply));
});
