/**
 * @module routes/transparency
 * Read-only, unauthenticated views of the log's Merkle tree (docs/PROTOCOL.md
 * §8): the newest signed checkpoint, inclusion and consistency proofs from
 * the stored tree, and receipts: a round with its inclusion proofs against a
 * checkpoint, verifiable offline with the log's verifier key alone.
 *
 * Proofs are for trees the log has stored, never beyond its durable head: a
 * proof for a size nobody has signed is worth nothing, but it must still be
 * a true statement about the log.
 */

import type { FastifyInstance } from 'fastify';
import { toBase64, type LogRecord } from '@rngseal/verifier';
import { badRequest, conflict, notFound } from '../engine/problem.js';
import type { LogStore } from '../store/log-store.js';
import { storeHashReader } from '../tlog/store-reader.js';
import { proveConsistency, proveInclusion } from '../tlog/tree.js';
import { roundOf } from './public.js';
import { consistencyReply, errorReplies, inclusionReply, receiptReply, REQUEST_ID } from './schemas.js';

const COUNT = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' } as const;
const CHAIN = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' } as const;

interface CheckpointBody {
  size: number;
  root: string;
  note: string;
}

export async function transparencyRoutes(app: FastifyInstance): Promise<void> {
  const { store, transparency } = app.services;
  const chainOf = (query: { chain?: string }) => query.chain ?? app.services.chain;
  const query = (...names: string[]) =>
    ({
      type: 'object',
      additionalProperties: false,
      required: names,
      properties: { chain: CHAIN, ...Object.fromEntries(names.map((n) => [n, COUNT])) },
    }) as const;

  app.get<{ Querystring: { chain?: string } }>('/v1/checkpoint', {
    schema: {
      summary: 'The newest signed checkpoint: a C2SP signed note (text/plain)',
      querystring: { type: 'object', additionalProperties: false, properties: { chain: CHAIN } },
      response: { 200: { type: 'string' }, 404: errorReplies[404] },
    },
  }, async (request, reply) => {
    const chain = chainOf(request.query);
    const checkpoint = await latestCheckpoint(store, chain);
    if (!checkpoint) throw notFound(`checkpoint of chain ${chain}`);
    return reply.type('text/plain; charset=utf-8').send(checkpoint.body.note);
  });

  app.get<{ Querystring: { chain?: string; seq: string; size: string } }>('/v1/proof/inclusion', {
    schema: {
      summary: 'Inclusion proof of record seq in the tree of the first size records (RFC 9162, base64 hashes, leaf side first)',
      querystring: query('seq', 'size'),
      response: { 200: inclusionReply, 400: errorReplies[400] },
    },
  }, async (request) => {
    const chain = chainOf(request.query);
    const seq = Number(request.query.seq);
    const size = await treeSize(store, chain, Number(request.query.size), 'querystring.size');
    if (seq >= size) throw badRequest('querystring.seq', `record ${seq} is not in the tree of size ${size} (seq must be below size)`);
    const proof = await proveInclusion(seq, size, storeHashReader(store, chain));
    return { chain, seq, size, proof: proof.map(toBase64) };
  });

  app.get<{ Querystring: { chain?: string; from: string; to: string } }>('/v1/proof/consistency', {
    schema: {
      summary: 'Consistency proof from the tree of size from to the tree of size to (RFC 9162, base64 hashes)',
      querystring: query('from', 'to'),
      response: { 200: consistencyReply, 400: errorReplies[400] },
    },
  }, async (request) => {
    const chain = chainOf(request.query);
    const from = Number(request.query.from);
    const to = await treeSize(store, chain, Number(request.query.to), 'querystring.to');
    if (from > to) throw badRequest('querystring.from', `${from} is greater than to (${to}); a log never shrinks`);
    if (from === 0) throw badRequest('querystring.from', 'must be at least 1; the empty tree is consistent with every tree');
    const proof = await proveConsistency(from, to, storeHashReader(store, chain));
    return { chain, from, to, proof: proof.map(toBase64) };
  });

  app.get<{ Params: { requestId: string } }>('/v1/receipts/:requestId', {
    schema: {
      summary: "A round's receipt: its records, the newest checkpoint, and each record's inclusion proof against it",
      params: { type: 'object', properties: { requestId: REQUEST_ID } },
      response: { 200: receiptReply, 404: errorReplies[404], 409: errorReplies[409] },
    },
  }, async (request, reply) => {
    const found = await store.byRequest(request.params.requestId);
    if (found?.type !== 'outcome') throw notFound(`outcome of request ${request.params.requestId}`);
    const { outcome, commit, reveal } = (await roundOf(store, found)) as Record<string, LogRecord | null>;
    const records = [outcome, commit, reveal].filter((r): r is LogRecord => Boolean(r));
    const checkpoint = await latestCheckpoint(store, found.chain);
    const last = Math.max(...records.map((r) => r.seq));
    if (!checkpoint || checkpoint.body.size <= last) {
      const seconds = Math.ceil(transparency.checkpointMs / 1000);
      reply.header('retry-after', String(seconds));
      throw conflict(`record ${last} is not yet in a checkpoint; retry after ${seconds} seconds`);
    }
    const reader = storeHashReader(store, found.chain);
    const proofs: Record<string, string[]> = {};
    for (const r of records) proofs[r.seq] = (await proveInclusion(r.seq, checkpoint.body.size, reader)).map(toBase64);
    return {
      version: 1,
      outcome,
      ...(commit ? { commit } : {}),
      ...(reveal ? { reveal } : {}),
      checkpoint: checkpoint.body.note,
      proofs,
    };
  });
}

async function latestCheckpoint(store: LogStore, chain: string): Promise<{ seq: number; body: CheckpointBody } | null> {
  const row = await store.latest(chain, 'checkpoint');
  if (!row) return null;
  const record = JSON.parse(row.text) as LogRecord;
  return { seq: record.seq, body: record.body as unknown as CheckpointBody };
}

/** `size` if the log's durable tree has reached it. */
async function treeSize(store: LogStore, chain: string, size: number, field: string): Promise<number> {
  const head = await store.head(chain);
  const current = head ? head.seq + 1 : 0;
  if (size > current) throw badRequest(field, `${size} is beyond the current tree size ${current}`);
  return size;
}
