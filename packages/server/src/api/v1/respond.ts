import type { FastifyReply } from 'fastify';

/** Prometheus's `errorType` strings and the HTTP status each maps to (web/api/v1/api.go). */
export const ERROR_STATUS = {
  bad_data: 400,
  execution: 422,
  canceled: 503,
  timeout: 503,
  internal: 500,
  unavailable: 503,
  not_found: 404,
  not_acceptable: 406,
} as const;

export type ErrorType = keyof typeof ERROR_STATUS;

/** Sends Prometheus's success envelope; `warnings`/`infos` are omitted when empty, as upstream does. */
export function sendData(
  reply: FastifyReply,
  data: unknown,
  annotations: { warnings?: readonly string[]; infos?: readonly string[] } = {},
): FastifyReply {
  const body: Record<string, unknown> = { status: 'success', data };
  if (annotations.warnings && annotations.warnings.length) body.warnings = annotations.warnings;
  if (annotations.infos && annotations.infos.length) body.infos = annotations.infos;
  return reply.code(200).type('application/json').send(body);
}

/** Like {@link sendData}, with `data` already serialised to JSON text. */
export function sendRawData(
  reply: FastifyReply,
  dataJSON: string,
  annotations: { warnings?: readonly string[]; infos?: readonly string[] } = {},
): FastifyReply {
  let body = `{"status":"success","data":${dataJSON}`;
  if (annotations.warnings && annotations.warnings.length) body += `,"warnings":${JSON.stringify(annotations.warnings)}`;
  if (annotations.infos && annotations.infos.length) body += `,"infos":${JSON.stringify(annotations.infos)}`;
  return reply.code(200).type('application/json').send(body + '}');
}

/** Sends Prometheus's error envelope with the status its `errorType` implies. */
export function sendError(reply: FastifyReply, errorType: ErrorType, error: string, data?: unknown): FastifyReply {
  const body: Record<string, unknown> = { status: 'error', errorType, error };
  if (data !== undefined) body.data = data;
  return reply.code(ERROR_STATUS[errorType]).type('application/json').send(body);
}

/** Reads a parameter from the query string or a form-encoded POST body, as Prometheus's `r.FormValue`. */
export function formValue(req: { query: unknown; body: unknown }, name: string): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const q = req.query as Record<string, unknown> | undefined;
  const v = (body && typeof body === 'object' ? body[name] : undefined) ?? (q ? q[name] : undefined);
  if (Array.isArray(v)) return v[0] === undefined ? undefined : String(v[0]);
  return v === undefined ? undefined : String(v);
}

/** Reads every value of a repeated parameter (`match[]`), from the query string and the body. */
export function formValues(req: { query: unknown; body: unknown }, name: string): string[] {
  const out: string[] = [];
  for (const src of [req.query, req.body] as Array<Record<string, unknown> | undefined>) {
    if (!src || typeof src !== 'object') continue;
    const v = src[name];
    if (Array.isArray(v)) out.push(...v.map(String));
    else if (v !== undefined) out.push(String(v));
  }
  return out;
}
