import { createServer } from 'node:http';
import express from 'express';
import { castgateExpress } from 'castgate/express';
import { createMemoryStores } from 'castgate';
import { describe, expect, it } from 'vitest';
import { contractConfigs, describeCastHttpAdapter, type StartCastHttpOptions } from '../contracts/http-adapter.js';
import { send } from '../helpers/http-client.js';
import { listenOnLoopback, testUserOf } from './listen.js';

function startExpress(options: StartCastHttpOptions) {
  const app = express();
  app.set('trust proxy', options.trustProxy === undefined || typeof options.trustProxy === 'boolean' ? (options.trustProxy ?? false) : [...options.trustProxy]);
  const router = castgateExpress({ ...options, userOf: options.testUserHeader === true ? (req) => testUserOf(req.get('x-test-user')) : undefined });
  app.use(options.prefix ?? '/', router);
  app.get('/health', (_req, res) => { res.send('ok'); });
  return listenOnLoopback(createServer(app));
}

describeCastHttpAdapter({ name: 'Express 5', start: (options) => Promise.resolve().then(() => startExpress(options)), trustProxy: true });

describe('castgateExpress: the router in a host app', () => {
  it('serves /cast/:key where it is mounted and leaves every other path to the app (next())', async () => {
    const app = await startExpress({ configs: [contractConfigs.anon], stores: createMemoryStores(), prefix: '/links' });
    try {
      expect((await send(app.origin, `/links/cast/${contractConfigs.anon.key}`)).status).toBe(200);
      expect((await send(app.origin, '/health')).body).toBe('ok');
      const outside = await send(app.origin, `/cast/${contractConfigs.anon.key}`);
      expect(outside.status).toBe(404);
      expect(outside.body).not.toContain('Link not found');
    } finally {
      await app.close();
    }
  });

  it('uses a form the app\'s own parser already read', async () => {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.use(castgateExpress({ configs: [contractConfigs.anon], stores: createMemoryStores() }));
    const running = await listenOnLoopback(createServer(app));
    try {
      const answer = await send(running.origin, `/cast/${contractConfigs.anon.key}`, { form: { a: '1' } });
      expect(answer.status).toBe(200);
    } finally {
      await running.close();
    }
  });
});
