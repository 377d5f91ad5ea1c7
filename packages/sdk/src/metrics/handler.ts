import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry as TypedRegistry, RegistryContentType } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, renderRegistryBuffer, wantsOpenMetrics } from './render.ts';

/** A prom-client registry of either content type. */
type Registry = TypedRegistry<RegistryContentType>;

/** A rendered exposition body with the content type it was rendered in. */
export interface Rendered {
  /** The exposition text, UTF-8 encoded. */
  body: Buffer;
  contentType: string;
}

/** Renders `registry` in the format an Accept header negotiates. */
export async function renderFor(registry: Registry, accept: string | undefined): Promise<Rendered> {
  const om = wantsOpenMetrics(accept);
  const body = await renderRegistryBuffer(registry, { openMetrics: om });
  return { body, contentType: om ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE };
}

/**
 * A `node:http` handler serving `/metrics` from `registry`; usable directly,
 * from Express (`app.get('/metrics', h)`) or any framework exposing the raw
 * request and response. Render failures answer 500 with the message.
 */
export function metricsHandler(registry: Registry): (req: IncomingMessage, res: ServerResponse) => void {
  return registryHandler(() => registry, 'render metrics');
}

/**
 * A `node:http` handler serving the registry `source` gives for each
 * request, rendered as the Accept header negotiates; when `source` fails,
 * it answers 500 with `what: <the error's message>`.
 */
export function registryHandler(source: () => Registry | Promise<Registry>, what: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    Promise.resolve()
      .then(source)
      .then((registry) => renderFor(registry, req.headers.accept))
      .then(
        ({ body, contentType }) => {
          res.writeHead(200, { 'content-type': contentType, 'content-length': body.length });
          res.end(body);
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`${what}: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      );
  };
}
