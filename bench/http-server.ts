// One side of the HTTP bench, in its own process so the load generator does not share its event
// loop: `castgate` (castgate/express's router on memory stores) or `baseline` (a bare Express route
// answering the same JSON). Prints the port, then serves until killed.
import express from 'express';
import { createMemoryStores, type CastStores } from 'castgate';
import { castgateExpress } from 'castgate/express';
import { countingProvisioner, fullPathConfig } from './parts/memory.js';

const mode = process.argv[2];
let app: express.Express;
if (mode === 'castgate') {
  const memory = createMemoryStores();
  const stores: CastStores = { rateLimit: memory.rateLimit, quota: memory.quota, sessions: countingProvisioner() };
  app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ['loopback']);
  app.use(castgateExpress({ configs: [fullPathConfig], stores }));
} else if (mode === 'baseline') {
  const body = JSON.parse(process.argv[3] ?? '{}') as unknown;
  app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ['loopback']);
  // The same framework work a real route does (the client address under trust proxy, the query, the
  // Referer), so the difference is castgate's own cost.
  app.get('/cast/:key', (req, res) => {
    res.locals.client = { ip: req.ip, referrer: req.get('referer'), query: req.query };
    res.set('cache-control', 'no-store').json(body);
  });
} else {
  throw new Error('usage: http-server.ts castgate|baseline [body]');
}
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') console.log(String(address.port));
});
// Exit normally on SIGTERM/SIGINT, so `node --cpu-prof` writes its profile when the bench stops us.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    process.exit(0);
  });
}
