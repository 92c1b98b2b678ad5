import type { AddressInfo } from 'node:net';
import { describe } from 'vitest';
import { checkExampleApp } from '../shared/example-checks.js';
import { createFastifyCastApp } from './app.js';

describe('the Fastify example app', () => {
  checkExampleApp(async (options) => {
    const app = await createFastifyCastApp(options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    return { origin: `http://127.0.0.1:${port}`, close: () => app.close() };
  });
});
