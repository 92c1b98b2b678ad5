// One side of an HTTP bench, in its own process so the load generator does not share its event
// loop: `<framework> castgate` (castgate's adapter on memory stores), `<framework> floor` (the same
// adapter with the bench's hand-written floor in place of the engine: what castgate's HTTP layer
// could reach with a perfect engine) or `<framework> baseline` (a bare route of the same framework
// doing the same framework work and answering the same JSON).
// Frameworks: express, fastify, hono (castgate/fetch on @hono/node-server). Prints the port, then
// serves until killed.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import express from 'express';
import { fastify } from 'fastify';
import { Hono } from 'hono';
import { createMemoryStores, type CastDecision, type CastEvaluator, type CastQuery, type CastStores } from 'castgate';
import { castgateExpress } from 'castgate/express';
import { castgateFastify } from 'castgate/fastify';
import { createCastFetchHandler } from 'castgate/fetch';
import { floorDecider } from './parts/memory-floor.js';
import { countingProvisioner, fullPathConfig } from './parts/memory.js';

const [framework, mode, sample] = process.argv.slice(2);
if ((framework !== 'express' && framework !== 'fastify' && framework !== 'hono') || (mode !== 'castgate' && mode !== 'floor' && mode !== 'baseline')) {
  throw new Error('usage: http-server.ts express|fastify|hono castgate|floor|baseline [body]');
}
const body = JSON.parse(sample ?? '{}') as unknown;
const castgate = mode !== 'baseline';

/** The floor as an evaluator: the bench's limit, a provisioner that keeps nothing, the `file` parameter. */
function floorEvaluator(): CastEvaluator {
  const decide = floorDecider({ config: fullPathConfig, limit: 100, windowMs: 60_000, keepSessions: 0 });
  const fileOf = (query: CastQuery | undefined) => (query instanceof URLSearchParams ? (query.get('file') ?? undefined) : (query?.file as string | undefined));
  return (_config, request) => {
    const decision = decide({ ip: request.ip, referrer: request.referrer ?? '', query: { file: fileOf(request.query) } });
    return decision === null ? Promise.reject(new Error('the floor refused a bench request')) : Promise.resolve(decision as CastDecision);
  };
}

function stores(): CastStores {
  const memory = createMemoryStores();
  return { rateLimit: memory.rateLimit, quota: memory.quota, sessions: countingProvisioner() };
}
const options = () => ({ configs: [fullPathConfig], stores: stores(), ...(mode === 'floor' ? { evaluate: floorEvaluator() } : {}) });

function announce(port: number, stop: () => void): void {
  console.log(String(port));
  // Exit normally on SIGTERM/SIGINT, so `node --cpu-prof` writes its profile when the bench stops us.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(0);
    });
  }
}

if (framework === 'express') {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', ['loopback']);
  if (castgate) {
    app.use(castgateExpress(options()));
  } else {
    // The same framework work a real route does (the client address under trust proxy, the query,
    // the Referer), so the difference is castgate's own cost.
    app.get('/cast/:key', (req, res) => {
      res.locals.client = { ip: req.ip, referrer: req.get('referer'), query: req.query };
      res.set('cache-control', 'no-store').json(body);
    });
  }
  const server = app.listen(0, '127.0.0.1', () => {
    announce((server.address() as AddressInfo).port, () => server.close());
  });
} else if (framework === 'fastify') {
  const app = fastify({ trustProxy: ['127.0.0.1'] });
  if (castgate) {
    await app.register(castgateFastify, options());
  } else {
    app.get('/cast/:key', async (request, reply) => {
      const client = { ip: request.ip, referrer: request.headers.referer, query: request.query };
      return reply.header('cache-control', 'no-store').header('x-client', typeof client.ip).send(body);
    });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  announce((app.server.address() as AddressInfo).port, () => void app.close());
} else {
  // Behind a trusted proxy (the load generator plays it), both sides take the client address from
  // X-Forwarded-For's last entry, else the socket: Hono has no trust-proxy setting of its own.
  const app = new Hono();
  const clientOf = (forwarded: string | undefined, socket: string | undefined) => forwarded?.slice(forwarded.lastIndexOf(',') + 1).trim() ?? socket ?? '';
  if (castgate) {
    const cast = createCastFetchHandler(options());
    app.all('/cast/:key', (c) => cast(c.req.raw, { ip: clientOf(c.req.header('x-forwarded-for'), getConnInfo(c).remote.address) }));
  } else {
    app.get('/cast/:key', (c) => {
      const client = { ip: clientOf(c.req.header('x-forwarded-for'), getConnInfo(c).remote.address), referrer: c.req.header('referer'), query: c.req.query() };
      c.header('cache-control', 'no-store');
      c.header('x-client', typeof client.ip);
      return c.json(body);
    });
  }
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
    announce(info.port, () => (server as Server).close());
  });
}
