// `node --import @vigil/sdk/register app.js`: instruments a service without
// touching its code. This entry point is the one place the SDK keeps a
// process-wide instance on purpose: it *is* the process's setup, and
// `import { obs } from '@vigil/sdk/register'` hands the same instance to
// application code that wants to add checks, hooks or metrics.
//
// Environment: VIGIL_SERVICE (default npm_package_name, else "app"),
// VIGIL_METRICS_PORT (default 9464; metrics and probes are served there),
// VIGIL_METRICS_HOST (default 0.0.0.0), LOG_LEVEL.
import { createServer } from 'node:http';
import { vigil } from './vigil.ts';
import { serveOwnEndpoint } from './http/node/endpoints.ts';
import { instrumentAllServers } from './http/node/diagnostics.ts';

/** The process's instance created by the register form. */
export const obs = vigil({ service: process.env.VIGIL_SERVICE ?? process.env.npm_package_name ?? 'app', version: process.env.npm_package_version });

const side = createServer((req, res) => {
  if (!serveOwnEndpoint(obs, req, res)) res.writeHead(404).end();
});
instrumentAllServers(obs, { skip: [side] });
obs.installProcessHandlers();
// The side server answers probes while the app drains; shutdown closes it
// last (hooks run after the drain), so /readyz keeps reporting 503 meanwhile.
obs.shutdown.onShutdown('metrics server', () => new Promise<void>((r) => side.close(() => r())));
side.listen(Number(process.env.VIGIL_METRICS_PORT ?? 9464), process.env.VIGIL_METRICS_HOST ?? '0.0.0.0', () => {
  obs.logger.debug({ address: side.address() }, 'vigil metrics server listening');
});
side.unref();
