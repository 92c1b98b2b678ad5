import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe } from 'vitest';
import { checkExampleApp } from '../shared/example-checks.js';
import { createExpressCastApp } from './app.js';

describe('the Express example app', () => {
  checkExampleApp(async (options) => {
    const server = createServer(createExpressCastApp(options));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      origin: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
    };
  });
});
