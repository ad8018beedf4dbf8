/**
 * @module nist/pool-worker
 * Worker thread of the parallel battery (pool.ts): runs runBattery on each
 * sequence it is sent and posts the results back with the job's id. Started
 * from the compiled file (dist/nist/pool-worker.js), never from the source.
 */

import { parentPort, workerData } from 'node:worker_threads';
import { runBattery, unpackBits, type BatteryOptions } from './index.js';
import type { PoolJob, PoolReply } from './pool.js';

const port = parentPort;
if (!port) throw new Error('nist/pool-worker must be started as a worker thread (see nist/pool.ts)');
const options = workerData as BatteryOptions;

port.on('message', (job: PoolJob) => {
  let reply: PoolReply;
  try {
    const bytes = new Uint8Array(job.buffer);
    const bits = job.nBits === undefined ? bytes : unpackBits(bytes, job.nBits);
    reply = { id: job.id, results: runBattery(bits, options) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
