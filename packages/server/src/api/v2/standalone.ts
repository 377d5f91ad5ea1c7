import Fastify from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { createLogger, type Logger } from '@vigil/core';
import { createAlertmanager, type Alertmanager } from '../../alerting/index.ts';
import { registerAlertmanagerApi } from './alertmanager-api.ts';
import { registerVigilAlertingApi } from './vigil-api.ts';

export interface StandaloneOptions {
  configFile: string;
  storagePath: string;
  /** `host:port`; an empty host listens on every interface, as Alertmanager. */
  listenAddress: string;
  externalUrl?: string;
  logLevel?: string;
  logger?: Logger;
}

/** A running standalone router; `close()` stops it. */
export interface StandaloneServer {
  readonly am: Alertmanager;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the router as a drop-in for the alertmanager binary: API v2,
 * `/api/v1/alerts`, `/-/healthy`, `/-/ready`, `/-/reload`, `/metrics`.
 */
export async function startStandaloneAlertmanager(opts: StandaloneOptions): Promise<StandaloneServer> {
  const logger = opts.logger ?? createLogger({ level: (opts.logLevel ?? 'info') as never });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const idx = opts.listenAddress.lastIndexOf(':');
  const host = idx > 0 ? opts.listenAddress.slice(0, idx) : '0.0.0.0';
  const port = Number(opts.listenAddress.slice(idx + 1));
  const app = Fastify({ logger: false, bodyLimit: 64 << 20 });
  const provisional = `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
  const am = createAlertmanager({
    configFile: opts.configFile,
    storagePath: opts.storagePath,
    logger: logger.child({ component: 'alertmanager' }),
    registry,
    externalUrl: opts.externalUrl ?? provisional,
  });
  await am.start();
  await registerAlertmanagerApi(app, am);
  await registerVigilAlertingApi(app, am);
  app.get('/-/healthy', async () => 'OK');
  app.get('/-/ready', async (_req, reply) => (am.isReady() ? 'OK' : reply.code(503).send('Service Unavailable')));
  app.post('/-/reload', async (_req, reply) => {
    try {
      await am.reload();
      return '';
    } catch (err) {
      return reply.code(500).send(`failed to reload config: ${(err as Error).message}`);
    }
  });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  await app.listen({ host, port });
  const addr = app.server.address();
  const url = typeof addr === 'object' && addr ? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}` : provisional;
  logger.info({ address: url }, 'alert router listening');
  return {
    am,
    url,
    async close() {
      await app.close();
      await am.stop();
    },
  };
}

/** CLI runner: starts, reloads on SIGHUP, stops on SIGTERM/SIGINT; returns the exit code. */
export async function runStandaloneAlertmanager(opts: StandaloneOptions): Promise<number> {
  let srv: StandaloneServer;
  try {
    srv = await startStandaloneAlertmanager(opts);
  } catch (err) {
    console.error(`vigil alertmanager: ${(err as Error).message}`);
    return 1;
  }
  process.on('SIGHUP', () => {
    srv.am.reload().catch((err: Error) => srv.am.logger.error({ err: err.message }, 'reload failed'));
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await srv.close();
  return 0;
}
