/**
 * @module cluster/origin
 * The checkpoint origin of a chain this instance was not started for
 * (docs/PROTOCOL.md §8.5): the one its newest checkpoint is signed under,
 * else the one its own instance recorded with its lease.
 */

import { claimedOrigin, type LogRecord } from '@rngseal/verifier';
import type { LogStore } from '../store/log-store.js';

export async function chainOrigin(store: LogStore, chain: string): Promise<string | null> {
  const checkpoint = await store.latest(chain, 'checkpoint');
  if (checkpoint) return claimedOrigin(JSON.parse(checkpoint.text) as LogRecord);
  return (await store.leases?.list())?.find((l) => l.chain === chain)?.origin ?? null;
}
