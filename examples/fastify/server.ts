// A Fastify service instrumented with @vigil/sdk.
// Run from the repo root: npx tsx examples/fastify/server.ts
// Then: curl localhost:3000/users/7 ; curl localhost:3000/metrics ; curl localhost:3000/healthz
import Fastify, { LogController } from 'fastify';
import { instrumentFastify, vigil, httpCheck, diskCheck } from '@vigil/sdk';

const obs = vigil({ service: 'users-api', version: '1.0.0', checks: [diskCheck('.')] });
obs.installProcessHandlers();

// The SDK records every request as metrics; per-request log lines would repeat them.
const app = Fastify({ loggerInstance: obs.logger, logController: new LogController({ disableRequestLogging: true }) });
instrumentFastify(app, obs);

app.get('/users/:id', async (req) => {
  const { id } = req.params as { id: string };
  // Timed as db_query_duration_seconds{operation="select",table="users"}.
  const user = await obs.metrics.timeQuery('select', 'users', async () => ({ id, name: `user-${id}` }));
  obs.metrics.cacheLookup('users', false);
  req.log.info({ userId: id }, 'user loaded'); // carries Fastify's reqId; requestId / traceId where the request context is on
  return user;
});

const port = Number(process.env.PORT ?? 3000);
await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' });
obs.health.add(httpCheck(`http://127.0.0.1:${port}/livez`, { name: 'self', critical: false }));
obs.shutdown.addServer(app.server).onShutdown('fastify', () => app.close());
