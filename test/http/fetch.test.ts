import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createMemoryStores } from 'castgate';
import { createCastFetchHandler } from 'castgate/fetch';
import { describe, expect, it } from 'vitest';
import { contractConfigs, describeCastHttpAdapter, type StartCastHttpOptions } from '../contracts/http-adapter.js';
import { send } from '../helpers/http-client.js';
import { listenOnLoopback, testUserOf } from './listen.js';

// The fetch handler behind @hono/node-server's Node bridge; the address is the socket's (no proxy).
async function startFetch(options: StartCastHttpOptions) {
  const handler = createCastFetchHandler(options);
  const server = createAdaptorServer({
    fetch: (request, env) =>
      handler(request, {
        ip: env.incoming.socket.remoteAddress ?? '',
        user: options.testUserHeader === true ? testUserOf(request.headers.get('x-test-user')) : null,
      }),
  }) as Server;
  return listenOnLoopback(server);
}

describeCastHttpAdapter({ name: 'fetch (Request → Response)', start: startFetch, trustProxy: false });

describe('createCastFetchHandler', () => {
  it('answers /…/cast/<key> under any prefix and its 404 page for any other path', async () => {
    const app = await startFetch({ configs: [contractConfigs.anon], stores: createMemoryStores() });
    try {
      expect((await send(app.origin, `/api/links/cast/${contractConfigs.anon.key}`)).status).toBe(200);
      const other = await send(app.origin, '/somewhere/else');
      expect(other.status).toBe(404);
      expect(other.body).toContain('Link not found');
    } finally {
      await app.close();
    }
  });
});
