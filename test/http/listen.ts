import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningCastHttpApp } from '../contracts/http-adapter.js';

/** Listens on 127.0.0.1 port 0 and answers the running app, whose `close` drops open connections. */
export async function listenOnLoopback(server: Server): Promise<RunningCastHttpApp> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
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

/** The test stand-in for a host's session: the `x-test-user` header names the user. */
export function testUserOf(header: string | string[] | undefined | null): { id: string } | null {
  return typeof header === 'string' && header !== '' ? { id: header } : null;
}
