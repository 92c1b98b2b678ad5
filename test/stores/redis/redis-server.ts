import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, isExecutable, serverProcess } from '../../helpers/server-process.js';

/** Where a usable `redis-server` is, or why there is none. */
export type RedisAvailability = { available: true; binary: string } | { available: false; reason: string };

/** `REDIS_SERVER_BIN` when set (and only it), else `/usr/bin/redis-server`, else the first on PATH. */
function findRedisServer(): RedisAvailability {
  const fromEnv = process.env.REDIS_SERVER_BIN;
  if (fromEnv !== undefined && fromEnv !== '') {
    return isExecutable(fromEnv) ? { available: true, binary: fromEnv } : { available: false, reason: `REDIS_SERVER_BIN=${fromEnv} is not executable` };
  }
  const candidates = ['/usr/bin/redis-server', ...(process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '').map((dir) => join(dir, 'redis-server'))];
  const binary = candidates.find(isExecutable);
  if (binary !== undefined) return { available: true, binary };
  return { available: false, reason: 'no executable redis-server in /usr/bin or on PATH (install redis-server or set REDIS_SERVER_BIN)' };
}

/**
 * Whether the Redis tests can run. Under `CI=true` a missing `redis-server` fails the run instead of
 * skipping the Redis tests: CI must test Redis.
 */
export const redisAvailability: RedisAvailability = findRedisServer();
if (!redisAvailability.available && process.env.CI === 'true') {
  throw new Error(`CI=true and the Redis tests cannot run: ${redisAvailability.reason}`);
}

/** The name suffix a skipped Redis suite carries, so the report says why. */
export const redisSkipNote = redisAvailability.available ? '' : ` (skipped: ${redisAvailability.reason})`;

/** A redis-server this test process started: no persistence, on 127.0.0.1, its own port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM) and waits for it to exit; a no-op when it is not running. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted) and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory (call it in `afterAll`). */
  close(): Promise<void>;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/**
 * Starts a `redis-server` on 127.0.0.1, on a free port, with `--save '' --appendonly no`, and waits
 * until it answers PING. Rejects when there is no binary or it does not come up within 10 s.
 */
export async function startRedisServer(): Promise<RedisServer> {
  if (!redisAvailability.available) throw new Error(redisAvailability.reason);
  const { binary } = redisAvailability;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'castgate-redis-'));
  const server = serverProcess({
    name: 'redis-server',
    port,
    spawn: () => spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] }),
    answers: () => answersPing(port),
    attempts: 200,
  });
  const start = () => server.start();
  const stop = () => server.stop('SIGTERM');

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    async close() {
      await stop();
      server.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
