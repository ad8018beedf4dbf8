/**
 * @module routes/health
 * Liveness, readiness and Prometheus metrics. Ready means an outcome could be
 * issued now: entropy healthy and the store writable.
 */

import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  const { entropy, store, metrics } = app.services;

  app.get('/healthz', { schema: { summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Ready to issue outcomes' } }, async (_request, reply) => {
    const storeOk = await store.writable();
    const ready = entropy.healthy && storeOk;
    return reply.code(ready ? 200 : 503).send({ ready, entropy: entropy.sources(), store: storeOk ? 'writable' : 'unavailable' });
  });

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
