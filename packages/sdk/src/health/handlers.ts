import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusFor, type Health } from './health.ts';

/** Content type of IETF health-check responses. */
export const HEALTH_CONTENT_TYPE = 'application/health+json';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': HEALTH_CONTENT_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The three probe handlers, `node:http`-style, answering from cached check results. */
export interface HealthHandlers {
  /** Liveness: 200 while the process can serve at all, even while draining. */
  livez: NodeHandler;
  /** Readiness: 503 while draining or when a critical check fails. */
  readyz: NodeHandler;
  /** Full IETF report with every check; 503 on `fail`, 200 on `pass`/`warn`. */
  healthz: NodeHandler;
}

/** Builds `/livez`, `/readyz` and `/healthz` handlers for `health`. */
export function healthHandlers(health: Health): HealthHandlers {
  return {
    livez: (_req, res) => send(res, 200, { status: 'pass' }),
    readyz: (_req, res) => {
      const status = health.status();
      send(res, httpStatusFor(status), { status, output: health.isDraining ? 'shutting down' : undefined });
    },
    healthz: (_req, res) => {
      const report = health.report();
      send(res, httpStatusFor(report.status), report);
    },
  };
}
