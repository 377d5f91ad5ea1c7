// An Express service instrumented with @vigil/sdk.
// Run from the repo root: npx tsx examples/express/server.ts
// Then: curl localhost:3001/api/orders/42 ; curl localhost:3001/metrics ; curl localhost:3001/readyz
import { createServer } from 'node:http';
import express from 'express';
import { expressErrorHandler, instrumentExpress, vigil } from '@vigil/sdk';

// requestContext: true puts request ids in log lines on any Node; by default
// they are there only on Node 24+, where carrying them is cheap (docs/sdk.md).
const obs = vigil({ service: 'orders-api', requestContext: true });
obs.installProcessHandlers();

// Metrics, request context, /metrics /livez /readyz /healthz, from the app's
// entry point (no router layer; app.use(expressMiddleware(obs)) is the layer form).
const app = instrumentExpress(express(), obs);

const api = express.Router();
api.get('/orders/:id', async (req, res) => {
  const order = await obs.metrics.timeQuery('select', 'orders', async () => ({ id: req.params.id, total: 12.5 }));
  obs.logger.info({ orderId: order.id }, 'order read'); // carries requestId
  res.json(order);
});
api.post('/orders', () => {
  throw new Error('orders are read-only in this example'); // counted in errors_total{type="route"}
});
app.use('/api', api);
app.use(expressErrorHandler(obs));

const server = createServer(app);
obs.shutdown.addServer(server);
server.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? '127.0.0.1', () => {
  obs.logger.info({ address: server.address() }, 'listening');
});
