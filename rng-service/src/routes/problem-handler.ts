/**
 * @module routes/problem-handler
 * One error handler: every error becomes RFC 9457 problem+json. Client
 * errors name the field; server errors hide their detail (it may carry
 * paths or internals) and are logged instead.
 */

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EntropyUnavailableError } from '../entropy/entropy.js';
import { ProblemError } from '../engine/problem.js';
import { StoreUnavailableError } from '../store/log-store.js';

/** Longest path parameter the router matches: a 128-character request id, even fully percent-encoded. */
export const MAX_PARAM_LENGTH = 3 * 128;

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
  instance?: string;
}

export function sendProblem(reply: FastifyReply, p: Omit<Problem, 'type'>): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send({ type: 'about:blank', ...p });
}

/** Answers an error as problem+json: the error handler, and fastify's `frameworkErrors` (router errors). */
export function replyWithProblem(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const p = toProblem(err, request);
  if (p.status >= 500) request.log.error({ err }, 'request failed');
  if (p.status === 503) reply.header('retry-after', '1');
  return sendProblem(reply, { ...p, instance: request.url.split('?')[0] });
}

/**
 * fastify's `clientErrorHandler`: errors of Node's HTTP parser, raised before
 * there is a request (a header block over the size limit, a malformed request
 * line), are answered as problem+json too, on the raw socket.
 */
export function clientErrorProblem(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, title, detail] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request header fields too large', 'headers: larger than the server accepts']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request timeout', 'request: not received in time']
    : [400, 'Invalid request', 'request: not valid HTTP/1.1'];
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}

export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler(replyWithProblem);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { title: 'Not found', status: 404, detail: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

function toProblem(err: FastifyError, request: FastifyRequest): Omit<Problem, 'type'> {
  if (err instanceof ProblemError) return { title: err.title, status: err.status, detail: err.message, ...(err.field ? { field: err.field } : {}) };
  if (err instanceof EntropyUnavailableError) return { title: 'Entropy unavailable', status: 503, detail: err.message };
  if (err instanceof StoreUnavailableError) return { title: 'Store unavailable', status: 503, detail: 'the log store is unavailable; retry with the same requestId' };
  if (err.validation) return validationProblem(err);
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return { title: clientTitle(err), status, detail: clientDetail(err) };
  void request;
  return { title: 'Internal error', status: 500, detail: 'internal error' };
}

function validationProblem(err: FastifyError): Omit<Problem, 'type'> {
  const v = err.validation![0]!;
  const params = v.params as Record<string, unknown>;
  let field = (err.validationContext ?? 'body') + v.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.');
  if (typeof params.missingProperty === 'string') field += `.${params.missingProperty}`;
  if (typeof params.additionalProperty === 'string') {
    field += `.${params.additionalProperty}`;
    return { title: 'Invalid request', status: 400, detail: `${field}: unknown field`, field };
  }
  return { title: 'Invalid request', status: 400, detail: `${field}: ${v.message ?? 'invalid'}`, field };
}

function clientTitle(err: FastifyError): string {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'Payload too large';
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return 'URI too long';
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'Unsupported media type';
  return 'Invalid request';
}

function clientDetail(err: FastifyError): string {
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'body: not valid JSON';
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'body: empty JSON body';
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'body: larger than the 1 MiB limit';
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'content-type: send application/json';
  if (err.code === 'FST_ERR_BAD_URL') return 'path: not a valid URL component (bad percent-encoding)';
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return `path: a path parameter is longer than ${MAX_PARAM_LENGTH} characters`;
  return err.message;
}
