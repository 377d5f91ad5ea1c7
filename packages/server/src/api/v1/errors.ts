import type { FastifyReply } from 'fastify';
import { PromQLExecError, PromQLParseError, QueryCanceledError, QueryTimeoutError, TooManySamplesError } from '../../promql/errors.ts';
import { sendError } from './respond.ts';
import { invalidParam } from './params.ts';

/**
 * The one place that maps error classes to Prometheus's `errorType` and HTTP
 * status (web/api/v1/api.go `returnAPIError`).
 */
export function sendQueryError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof PromQLParseError) return sendError(reply, 'bad_data', invalidParam('query', err));
  if (err instanceof QueryCanceledError) return sendError(reply, 'canceled', err.message);
  if (err instanceof QueryTimeoutError) return sendError(reply, 'timeout', err.message);
  if (err instanceof PromQLExecError || err instanceof TooManySamplesError) return sendError(reply, 'execution', err.message);
  const e = err as Error & { code?: string };
  if (e && typeof e.code === 'string' && e.code.startsWith('VIGIL_ERR_STORAGE')) return sendError(reply, 'internal', e.message);
  return sendError(reply, 'execution', e?.message ?? String(err));
}
