import type { AddressInfo } from 'node:net';
import { createMemoryStores } from 'castgate';
import { describe, expect, it } from 'vitest';
import { describeCastAdapter, type RunningCastApp, type StartCastAppOptions } from '../shared/adapter-contract.js';
import { createConfigSource, loadConfigSource } from '../shared/config-source.js';
import { send } from '../shared/test-client.js';
import { createFastifyCastApp, type FastifyCastAppOptions } from './app.js';

async function startFastify(options: StartCastAppOptions & Pick<FastifyCastAppOptions, 'userOf' | 'routePrefix'>): Promise<RunningCastApp> {
  const app = await createFastifyCastApp(options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}

describeCastAdapter('Fastify 5', startFastify);

describe('Fastify 5 plugin: the host\'s own user and a route prefix', () => {
  it('passes the user the host resolved (userOf) to castgate, under routePrefix', async () => {
    const samples = await loadConfigSource(new URL('../configs.json', import.meta.url));
    const members = samples.configs.find((config) => !config.allowAnonymous)!;
    const configs = createConfigSource([members]);
    const app = await startFastify({
      configs,
      stores: createMemoryStores(),
      routePrefix: '/links',
      userOf: (request) => (request.headers.authorization === 'Bearer alice-session' ? { id: 'alice' } : null),
    });
    try {
      const signedIn = await send(app.origin, `/links/cast/${members.key}`, { headers: { authorization: 'Bearer alice-session', accept: 'application/json' } });
      expect(JSON.parse(signedIn.body)).toMatchObject({ outcome: 'created', launch: { user: { id: 'alice', anonymous: false } } });
      expect((await send(app.origin, `/links/cast/${members.key}`)).status).toBe(401);
      expect((await send(app.origin, `/cast/${members.key}`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
