/**
 * @module routes/public
 * Read-only, unauthenticated views of the log for players and auditors:
 * the chains, keys (with the checkpoint verifier key), head, one record,
 * one round, and NDJSON export of a seq range. Every chain in the store is
 * readable on every instance (`?chain=`, default this instance's own).
 * Records are served as their exact stored bytes.
 */

import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { formatVerifierKey, fromHex, type BootBody, type LogRecord, type OutcomeBody } from '@rngseal/verifier';
import { chainOrigin } from '../cluster/origin.js';
import { notFound } from '../engine/problem.js';
import type { LogStore, StoredRecord } from '../store/log-store.js';
import { REQUEST_ID } from './schemas.js';

const SEQ = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const;
const CHAIN = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } as const;
const PAGE = 1000;

export async function publicRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.services;
  const chainOf = (query: { chain?: string }) => query.chain ?? app.services.chain;
  const chainQuery = { type: 'object', additionalProperties: false, properties: { chain: CHAIN } } as const;

  app.get<{ Querystring: { chain?: string } }>('/v1/keys', {
    schema: {
      summary: "Public keys that signed a chain (from its boot records), with each key's checkpoint verifier key (vkey) under the chain's origin",
      querystring: chainQuery,
    },
  }, async (request) => {
    const chain = chainOf(request.query);
    const keys = await publicKeys(store, chain);
    const origin = chain === app.services.chain ? app.services.transparency.origin : await chainOrigin(store, chain);
    if (origin === null) return keys;
    return keys.map((k) => ({ ...k, vkey: formatVerifierKey(origin, fromHex(k.publicKey)) }));
  });

  app.get('/v1/chains', {
    schema: { summary: "Every chain in the store: its head, and the instance holding its writer lease (null when none or on SQLite)" },
  }, async () => {
    const leases = new Map(((await store.leases?.list()) ?? []).map((l) => [l.chain, l]));
    return Promise.all((await store.chains()).map(async (chain) => {
      const lease = leases.get(chain);
      return { ...(await headOf(store, chain)), writer: lease && lease.remainingMs > 0 ? lease.holder : null };
    }));
  });

  app.get<{ Querystring: { chain?: string } }>('/v1/head', {
    schema: { summary: 'The latest record of a chain', querystring: chainQuery },
  }, async (request) => headOf(store, chainOf(request.query)));

  app.get<{ Params: { seq: string }; Querystring: { chain?: string } }>('/v1/records/:seq', {
    schema: { summary: 'One record by seq', params: { type: 'object', properties: { seq: SEQ } }, querystring: chainQuery },
  }, async (request, reply) => {
    const found = await store.record(chainOf(request.query), Number(request.params.seq));
    if (!found) throw notFound(`record ${request.params.seq}`);
    return reply.type('application/json').send(found.text);
  });

  app.get<{ Params: { requestId: string } }>('/v1/rounds/:requestId', {
    schema: { summary: 'A round: its outcome record with the commit and reveal of its epoch', params: { type: 'object', properties: { requestId: REQUEST_ID } } },
  }, async (request) => round(store, request.params.requestId));

  app.get<{ Querystring: { chain?: string; from?: string; to?: string } }>('/v1/export', {
    schema: {
      summary: 'NDJSON export of records from ≤ seq ≤ to, one canonical record per line',
      querystring: { type: 'object', additionalProperties: false, properties: { chain: CHAIN, from: SEQ, to: SEQ } },
    },
  }, async (request, reply) => {
    const chain = chainOf(request.query);
    const from = Number(request.query.from ?? 0);
    const to = Number(request.query.to ?? Number.MAX_SAFE_INTEGER);
    return reply.type('application/x-ndjson').send(Readable.from(exportLines(store, chain, from, to)));
  });
}

async function headOf(store: LogStore, chain: string): Promise<{ chain: string; seq: number; hash: string; time: number }> {
  const head = await store.head(chain);
  if (!head) throw notFound(`chain ${chain}`);
  return { chain, seq: head.seq, hash: head.hash, time: (JSON.parse(head.text) as LogRecord).time };
}

async function* exportLines(store: LogStore, chain: string, from: number, to: number): AsyncGenerator<string> {
  for (let next = from; next <= to; ) {
    const page = await store.range(chain, next, to, PAGE);
    if (page.length === 0) return;
    yield page.map((r) => `${r.text}\n`).join('');
    next = page[page.length - 1]!.seq + 1;
  }
}

export async function publicKeys(store: LogStore, chain: string): Promise<Array<{ keyId: string; publicKey: string; since: number }>> {
  const seen = new Map<string, { keyId: string; publicKey: string; since: number }>();
  for (const boot of await store.byType(chain, 'boot')) {
    const record = JSON.parse(boot.text) as LogRecord;
    const { publicKey } = record.body as unknown as BootBody;
    if (!seen.has(record.key)) seen.set(record.key, { keyId: record.key, publicKey, since: record.seq });
  }
  return [...seen.values()];
}

/** The outcome record of a request id, with its epoch's commit and (once published) reveal. */
export async function round(store: LogStore, requestId: string): Promise<Record<string, unknown>> {
  const found = await store.byRequest(requestId);
  if (!found) throw notFound(`round ${requestId}`);
  return roundOf(store, found);
}

/** The round of a stored record a request made: the record, and for an epoch outcome its commit and reveal. */
export async function roundOf(store: LogStore, found: StoredRecord): Promise<Record<string, unknown>> {
  const parse = (s: StoredRecord | null) => (s ? (JSON.parse(s.text) as LogRecord) : null);
  const outcome = parse(found);
  if (found.type !== 'outcome') return { [found.type]: outcome };
  const epochId = (outcome!.body as unknown as OutcomeBody).epoch;
  if (epochId === null) return { outcome };
  const epoch = await store.epoch(epochId);
  const commit = epoch ? parse(await store.record(epoch.chain, epoch.commitSeq)) : null;
  const reveal = epoch?.revealSeq != null ? parse(await store.record(epoch.chain, epoch.revealSeq)) : null;
  return { outcome, commit, reveal };
}
