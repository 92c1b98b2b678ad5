// What the test suites' real servers (redis-server, a Redis Cluster's nodes, postgres) have in
// common: finding a binary, a free port on 127.0.0.1, and one child process that is started, waited
// for until it answers, stopped with a signal, and killed if the test process exits first.
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `path` is a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Listens on `port` of 127.0.0.1 (0: any free one) and closes again; answers the port, or rejects when it is taken. */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** How to run one server process: how to spawn it (stderr piped) and how to tell it is up. */
export interface ServerProcessOptions {
  /** Named in errors: `redis-server`, `postgres`. */
  readonly name: string;
  readonly port: number;
  readonly spawn: () => ChildProcess;
  /** One readiness probe: resolves `true` once the server answers. */
  readonly answers: () => Promise<boolean>;
  /** How many probes, 50 ms apart, before giving up. */
  readonly attempts: number;
}

/** One server process that can be started, stopped and started again. */
export interface ServerProcess {
  /** Spawns it (a no-op while it runs) and waits until it answers; rejects with its stderr when it does not. */
  start(): Promise<void>;
  /** Sends `signal` and waits for the exit; a no-op when it is not running. */
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Forgets the exit hook that kills it if the test process ends first (after the last `stop`). */
  release(): void;
}

/** Supervises one server process; it is SIGKILLed if the test process exits while it runs. */
export function serverProcess(options: ServerProcessOptions): ServerProcess {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  return {
    async start() {
      if (child !== undefined) return;
      const started = options.spawn();
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const state = { running: true };
      exited = new Promise((resolve) => {
        started.once('exit', () => {
          state.running = false;
          resolve();
        });
      });
      child = started;
      for (let attempt = 0; attempt < options.attempts; attempt++) {
        if (await options.answers()) return;
        if (!state.running) break;
        await sleep(50);
      }
      started.kill('SIGKILL');
      child = undefined;
      throw new Error(`${options.name} did not come up on port ${options.port}: ${stderr}`);
    },
    async stop(signal) {
      const running = child;
      if (running === undefined) return;
      child = undefined;
      running.kill(signal);
      await exited;
    },
    release() {
      process.removeListener('exit', killOnExit);
    },
  };
}
