/**
 * @module app
 * The HTTP API as one fastify plugin tree: shared services are decorated
 * once; each routes/ file registers its own encapsulated routes.
 */

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyServerOptions, type onRequestAsyncHookHandler } from 'fastify';
import type { OutcomeApi } from './cluster/router.js';
import type { Sequencer } from './engine/sequencer.js';
import type { Entropy } from './entropy/entropy.js';
import type { Metrics } from './metrics.js';
import { adminRoutes } from './routes/admin.js';
import { epochRoutes } from './routes/epochs.js';
import { healthRoutes } from './routes/health.js';
import { outcomeRoutes } from './routes/outcomes.js';
import { clientErrorProblem, installProblemHandler, MAX_PARAM_LENGTH, replyWithProblem, sendProblem } from './routes/problem-handler.js';
import { publicRoutes } from './routes/public.js';
import { transparencyRoutes } from './routes/transparency.js';
import { verifyPageRoutes } from './routes/verify-page.js';
import { problem, record } from './routes/schemas.js';
import type { Signer } from './signer.js';
import type { LogStore, Scope } from './store/log-store.js';
import type { TokenAuth } from './tokens.js';

/** The log's checkpoint identity (docs/PROTOCOL.md §8). */
export interface Transparency {
  /** Checkpoint origin, also the signed-note key name. */
  origin: string;
  /** Signed-note verifier key of the service's key under `origin`. */
  verifierKey: string;
  /** At most this long (ms) between a record and the checkpoint covering it, while the log is up. */
  checkpointMs: number;
}

export interface Services {
  chain: string;
  transparency: Transparency;
  store: LogStore;
  /** The engine of the chain each request belongs to (cluster/router.ts). */
  engine: OutcomeApi;
  sequencer: Sequencer;
  entropy: Entropy;
  signer: Signer;
  auth: TokenAuth;
  metrics: Metrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    requireScope(scope: Scope): onRequestAsyncHookHandler;
  }
}

export const BODY_LIMIT = 1 << 20;

export async function buildApp(services: Services, options: FastifyServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // The default (100) would turn a lookup of a valid 101–128 character request id into a 414.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Router and HTTP-parser errors bypass the error handler: answer them as problem+json too.
    frameworkErrors: replyWithProblem,
    clientErrorHandler: clientErrorProblem,
    // Node answers an HTTP/1.1 request without Host with a bare 400: the onRequest hook below does it as problem+json.
    http: { requireHostHeader: false },
    ...options,
  });
  app.decorate('services', services);
  app.decorate('requireScope', (scope: Scope): onRequestAsyncHookHandler => async (request, reply) => {
    const result = await services.auth.check(request.headers.authorization, scope);
    if (result.ok) return;
    if (result.status === 401) reply.header('www-authenticate', 'Bearer realm="rngseal"');
    await sendProblem(reply, { title: result.status === 401 ? 'Unauthorized' : 'Forbidden', status: result.status, detail: result.detail });
  });
  installProblemHandler(app);
  // Callback-style hooks: they run on every request, and an async hook costs a promise each time.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.headers.host !== undefined || request.raw.httpVersion !== '1.1') return done();
    sendProblem(reply, { title: 'Invalid request', status: 400, detail: 'host: an HTTP/1.1 request needs a Host header' });
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    services.metrics.latency.observe({ route, method: request.method, status: reply.statusCode }, reply.elapsedTime / 1000);
    done();
  });
  app.addSchema(problem);
  app.addSchema(record);
  await app.register(swagger, {
    openapi: {
      info: { title: 'rngseal', version: '1', description: 'Signed, hash-chained, provably fair game outcomes (docs/API.md)' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(outcomeRoutes);
  await app.register(epochRoutes);
  await app.register(publicRoutes);
  await app.register(transparencyRoutes);
  await app.register(adminRoutes);
  await app.register(healthRoutes);
  await app.register(verifyPageRoutes);
  return app;
}
