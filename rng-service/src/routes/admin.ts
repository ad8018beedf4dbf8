/**
 * @module routes/admin
 * Token administration (scope `admin`). A new token is returned once; only
 * its hash is stored, and listings never show it.
 */

import type { FastifyInstance } from 'fastify';
import { notFound } from '../engine/problem.js';
import type { Scope } from '../store/log-store.js';
import { createToken, SCOPES } from '../tokens.js';
import { errorReplies } from './schemas.js';

const tokenInfo = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    label: { type: 'string' },
    created: { type: 'integer' },
    revoked: { type: ['integer', 'null'] },
  },
} as const;

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.services;
  const onRequest = app.requireScope('admin');
  const security = [{ bearer: [] }];

  app.post<{ Body: { scopes: Scope[]; label: string } }>('/v1/tokens', {
    onRequest,
    schema: {
      summary: 'Create a token (shown once)',
      security,
      body: {
        type: 'object',
        required: ['scopes', 'label'],
        additionalProperties: false,
        properties: {
          scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...SCOPES] } },
          label: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
      response: { 200: { type: 'object', properties: { token: { type: 'string' }, info: tokenInfo } }, ...errorReplies },
    },
  }, async (request) => {
    const { token, row } = await createToken(store, request.body.scopes, request.body.label);
    return { token, info: row };
  });

  app.get('/v1/tokens', {
    onRequest,
    schema: { summary: 'List tokens (never the tokens themselves)', security, response: { 200: { type: 'array', items: tokenInfo }, ...errorReplies } },
  }, async () => store.tokens());

  app.delete<{ Params: { id: string } }>('/v1/tokens/:id', {
    onRequest,
    schema: { summary: 'Revoke a token', security, params: { type: 'object', properties: { id: { type: 'string', pattern: '^tok_[0-9a-f]{12}$' } } } },
  }, async (request) => {
    if (!(await store.revokeToken(request.params.id, Date.now()))) throw notFound(`active token ${request.params.id}`);
    return { revoked: request.params.id };
  });
}
