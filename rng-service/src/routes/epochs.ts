/**
 * @module routes/epochs
 * Seeded epochs: create (commit), rotate (reveal + new commit, atomically),
 * reveal; and the public view of an epoch.
 */

import type { FastifyInstance } from 'fastify';
import type { CommitBody, LogRecord } from '@rngseal/verifier';
import type { EpochRequest } from '../engine/engine.js';
import { notFound } from '../engine/problem.js';
import type { StoredRecord } from '../store/log-store.js';
import { EPOCH_ID, epochBody, epochReply, errorReplies } from './schemas.js';

const idParams = { type: 'object', required: ['id'], properties: { id: EPOCH_ID } } as const;

function commitReply(commit: StoredRecord, revealed?: StoredRecord) {
  const record = JSON.parse(commit.text) as LogRecord;
  const body = record.body as unknown as CommitBody;
  return { epoch: body.epoch, commitment: body.commitment, expires: body.expires, record, ...(revealed ? { revealed: JSON.parse(revealed.text) } : {}) };
}

export async function epochRoutes(app: FastifyInstance): Promise<void> {
  const { engine, store } = app.services;
  const onRequest = app.requireScope('outcomes');
  const security = [{ bearer: [] }];

  app.post<{ Body: EpochRequest }>('/v1/epochs', {
    onRequest,
    schema: { summary: 'Start a seed epoch: the commitment is logged before any use', security, body: epochBody, response: { 200: epochReply, ...errorReplies } },
  }, async (request) => commitReply(await engine.createEpoch(request.body)));

  app.post<{ Body: EpochRequest; Params: { id: string } }>('/v1/epochs/:id/rotate', {
    onRequest,
    schema: { summary: 'Reveal an epoch and commit its successor', security, params: idParams, body: epochBody, response: { 200: epochReply, ...errorReplies } },
  }, async (request) => {
    const [reveal, commit] = await engine.rotateEpoch(request.params.id, request.body);
    return commitReply(commit!, reveal);
  });

  app.post<{ Params: { id: string } }>('/v1/epochs/:id/reveal', {
    onRequest,
    schema: { summary: 'Publish the server seed; the epoch takes no more outcomes', security, params: idParams, response: { 200: { $ref: 'record#' }, ...errorReplies } },
  }, async (request) => JSON.parse((await engine.revealEpoch(request.params.id)).text) as LogRecord);

  app.get<{ Params: { id: string } }>('/v1/epochs/:id', {
    schema: { summary: 'Public state of an epoch (no seed until revealed)', params: idParams },
  }, async (request) => {
    const row = await store.epoch(request.params.id);
    if (!row) throw notFound(`epoch ${request.params.id}`);
    const commit = await store.record(row.chain, row.commitSeq);
    const reveal = row.revealSeq === null ? null : await store.record(row.chain, row.revealSeq);
    return {
      epoch: row.id,
      chain: row.chain,
      commit: commit ? JSON.parse(commit.text) : null,
      reveal: reveal ? JSON.parse(reveal.text) : null,
      nonces: row.nextNonce,
    };
  });
}
