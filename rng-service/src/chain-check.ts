/**
 * @module chain-check
 * Start-up verification of the stored chain. The service refuses to extend a
 * chain it cannot verify: a broken link, a bad hash or signature, or a row
 * whose columns disagree with its record stops it, naming the seq.
 */

import { verify as nodeVerify, createPublicKey } from 'node:crypto';
import { ChainAuditor, parseRecord, VerifyError, type AuditReport, type BootBody, type SignatureVerifier } from '@rngseal/verifier';
import type { LogStore, StoredRecord } from './store/log-store.js';

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** node:crypto (OpenSSL) Ed25519 verification, for Node tools that check many records. */
export const opensslVerify: SignatureVerifier = (publicKey, message, signature) => {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
};

export interface CheckOptions {
  /** Verify from seq 0 with every fairness check, instead of the tail. */
  full: boolean;
  tail: number;
}

/** @throws VerifyError naming the first bad seq */
export async function checkStoredChain(store: LogStore, chain: string, options: CheckOptions): Promise<AuditReport | null> {
  const head = await store.head(chain);
  if (!head) return null;
  const from = options.full ? 0 : Math.max(0, head.seq - options.tail + 1);
  const before = from === 0 ? null : await store.record(chain, from - 1);
  if (from > 0 && !before) throw new VerifyError('SEQ', 'record missing', from - 1);
  const auditor = new ChainAuditor({
    keys: await bootKeys(store, chain),
    verifySignature: opensslVerify,
    checkBodies: options.full,
    ...(before ? { startPrev: before.hash } : {}),
  });
  for (let next = from; next <= head.seq; ) {
    const page = await store.range(chain, next, head.seq, 1000);
    for (const row of page) {
      if (row.seq !== next) throw new VerifyError('SEQ', 'record missing', next);
      auditor.push(parseRow(row));
      next++;
    }
    if (page.length === 0) throw new VerifyError('SEQ', 'record missing', next);
  }
  return auditor.finish();
}

/** Parses a stored row and checks that its columns agree with the record. */
function parseRow(row: StoredRecord): ReturnType<typeof parseRecord> {
  let record;
  try {
    record = parseRecord(row.text);
  } catch (err) {
    throw new VerifyError('FORMAT', (err as Error).message.replace(/^record \d+: /, ''), row.seq);
  }
  if (record.seq !== row.seq || record.chain !== row.chain || record.type !== row.type || record.hash !== row.hash) {
    throw new VerifyError('FORMAT', 'stored columns disagree with the record', row.seq);
  }
  return record;
}

async function bootKeys(store: LogStore, chain: string): Promise<Uint8Array[]> {
  const keys: Uint8Array[] = [];
  for (const row of await store.byType(chain, 'boot')) {
    try {
      const body = (JSON.parse(row.text) as { body: BootBody }).body;
      keys.push(new Uint8Array(Buffer.from(body.publicKey, 'hex')));
    } catch {
      throw new VerifyError('FORMAT', 'boot record is not JSON', row.seq);
    }
  }
  return keys;
}
