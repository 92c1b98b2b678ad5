import type { AddressInfo } from 'node:net';
import { fastify } from 'fastify';
import { castgateFastify } from 'castgate/fastify';
import { createMemoryStores } from 'castgate';
import { describe, expect, it } from 'vitest';
import { contractConfigs, describeCastHttpAdapter, type RunningCastHttpApp, type StartCastHttpOptions } from '../contracts/http-adapter.js';
import { send, sendRaw } from '../helpers/http-client.js';
import { testUserOf } from './listen.js';

async function startFastify(options: StartCastHttpOptions): Promise<RunningCastHttpApp> {
  const app = fastify({ trustProxy: options.trustProxy === undefined || typeof options.trustProxy === 'boolean' ? (options.trustProxy ?? false) : [...options.trustProxy] });
  app.get('/health', async () => 'ok');
  app.post('/echo', async (request) => request.body);
  try {
    const { prefix, ...rest } = options;
    await app.register(castgateFastify, {
      ...rest,
      ...(prefix === undefined ? {} : { prefix }),
      userOf: options.testUserHeader === true ? (request) => testUserOf(request.headers['x-test-user']) : undefined,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}

describeCastHttpAdapter({ name: 'Fastify 5', start: startFastify, trustProxy: true });

describe('castgateFastify: the plugin in a host app', () => {
  it('serves /cast/:key under the register prefix, and leaves the app\'s other routes and parsers alone', async () => {
    const app = await startFastify({ configs: [contractConfigs.anon], stores: createMemoryStores(), prefix: '/links' });
    try {
      expect((await send(app.origin, `/links/cast/${contractConfigs.anon.key}`)).status).toBe(200);
      expect((await send(app.origin, `/cast/${contractConfigs.anon.key}`)).status).toBe(404);
      expect((await send(app.origin, '/health')).body).toBe('ok');
      const echo = await send(app.origin, '/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
      expect(JSON.parse(echo.body)).toEqual({ a: 1 });
      const bad = await sendRaw(app.port, '/links/cast/%zz', []);
      expect(bad.status).toBe(404);
      expect(bad.text).toContain('Link not found');
      const elsewhere = await sendRaw(app.port, '/other/%zz', []);
      expect(elsewhere.status).toBe(400);
    } finally {
      await app.close();
    }
  });

  it('answers castgate\'s 500 page when Node refuses a header of the answer, with no unhandled rejection', async () => {
    const app = fastify();
    // Stands in for Node refusing a header value (ERR_INVALID_CHAR) while the answer is sent.
    app.addHook('onRequest', (_request, reply, done) => {
      const setHeaders = reply.headers.bind(reply);
      reply.headers = (values) => {
        if ('x-cast-decision-id' in values) throw new TypeError('Invalid character in header content ["x-cast-decision-id"]');
        return setHeaders(values);
      };
      done();
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await app.register(castgateFastify, { configs: [contractConfigs.anon], stores: createMemoryStores() });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      const answer = await send(`http://127.0.0.1:${port}`, `/cast/${contractConfigs.anon.key}`);
      expect(answer.status).toBe(500);
      expect(answer.body).toContain('Something went wrong');
      expect(answer.body).not.toContain('Invalid character');
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await app.close();
    }
  });
});
