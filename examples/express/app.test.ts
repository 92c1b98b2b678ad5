import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStores } from 'castgate';
import { describe, expect, it } from 'vitest';
import { describeCastAdapter, type RunningCastApp, type StartCastAppOptions } from '../shared/adapter-contract.js';
import { createConfigSource, loadConfigSource } from '../shared/config-source.js';
import { send } from '../shared/test-client.js';
import { createExpressCastApp, type ExpressCastAppOptions } from './app.js';

async function startExpress(options: StartCastAppOptions & Pick<ExpressCastAppOptions, 'userOf'>): Promise<RunningCastApp> {
  const server = createServer(createExpressCastApp(options));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

describeCastAdapter('Express 5', startExpress);

describe('Express 5 adapter: the host\'s own user', () => {
  it('passes the user the host resolved (userOf) to castgate', async () => {
    const samples = await loadConfigSource(new URL('../configs.json', import.meta.url));
    const members = samples.configs.find((config) => !config.allowAnonymous)!;
    const configs = createConfigSource([members]);
    const app = await startExpress({
      configs,
      stores: createMemoryStores(),
      userOf: (req) => (req.get('authorization') === 'Bearer alice-session' ? { id: 'alice' } : null),
    });
    try {
      const signedIn = await send(app.origin, `/cast/${members.key}`, { headers: { authorization: 'Bearer alice-session', accept: 'application/json' } });
      expect(JSON.parse(signedIn.body)).toMatchObject({ outcome: 'created', launch: { user: { id: 'alice', anonymous: false } } });
      expect((await send(app.origin, `/cast/${members.key}`)).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
