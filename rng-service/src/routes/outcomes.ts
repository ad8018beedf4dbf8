/**
 * @module routes/outcomes
 * Game servers draw outcomes: POST /v1/outcomes (1–1,000 draws, one signed
 * record) and POST /v1/outcome (one draw). Both answer only once the record
 * is durable, and a retry with the same requestId returns the same record.
 */

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { DrawRequest, Outcome, OutcomeRequest } from '../engine/engine.js';
import { ProblemError } from '../engine/problem.js';
import { errorReplies, outcomeBody, outcomeReply, outcomesBody } from './schemas.js';

type SingleRequest = Omit<OutcomeRequest, 'draws'> & DrawRequest;

/** The single-draw route has no draws array: name its fields as the client sent them. */
function singleDrawField(err: unknown): unknown {
  if (!(err instanceof ProblemError) || !err.field?.startsWith('draws[0].')) return err;
  const field = err.field.slice('draws[0].'.length);
  return new ProblemError(err.status, err.title, err.message.replace(err.field, field), field);
}

export async function outcomeRoutes(app: FastifyInstance): Promise<void> {
  const { engine, metrics } = app.services;
  const onRequest = app.requireScope('outcomes');
  // The stored text is the record's canonical JSON, so it is sent as it is
  // (the very bytes that were hashed) instead of being serialized again; the
  // response schema (outcomeReply) still documents it.
  const reply = (res: FastifyReply, { stored, body }: Outcome) => {
    const results = JSON.stringify(body.draws.map((d) => d.result));
    return res.type('application/json; charset=utf-8').send(`{"record":${stored.text},"results":${results}}`);
  };
  const count = (outcome: Outcome, draws: DrawRequest[]) => {
    metrics.outcomes.inc();
    const perMapping = new Map<string, number>();
    for (const d of draws) perMapping.set(d.mapping, (perMapping.get(d.mapping) ?? 0) + 1);
    for (const [mapping, n] of perMapping) metrics.draws.inc({ mapping }, n);
    return outcome;
  };

  app.post<{ Body: OutcomeRequest }>('/v1/outcomes', {
    onRequest,
    schema: { summary: 'Draw 1–1,000 outcomes in one signed record', security: [{ bearer: [] }], body: outcomesBody, response: { 200: outcomeReply, ...errorReplies } },
  }, async (request, res) => reply(res, count(await engine.outcomes(request.body), request.body.draws)));

  app.post<{ Body: SingleRequest }>('/v1/outcome', {
    onRequest,
    schema: { summary: 'Draw one outcome', security: [{ bearer: [] }], body: outcomeBody, response: { 200: outcomeReply, ...errorReplies } },
  }, async (request, res) => {
    const { mapping, params, ...rest } = request.body;
    const draws = [{ mapping, params }];
    try {
      return reply(res, count(await engine.outcomes({ ...rest, draws }), draws));
    } catch (err) {
      throw singleDrawField(err);
    }
  });
}
