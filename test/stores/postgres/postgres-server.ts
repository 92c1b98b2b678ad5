import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/** Where usable PostgreSQL server binaries (`initdb`, `postgres`) are, or why there are none. */
export type PostgresAvailability = { available: true; binDir: string } | { available: false; reason: string };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `POSTGRES_BIN_DIR` when set (and only it), else Debian's `/usr/lib/postgresql/<newest>/bin`. */
function findPostgres(): PostgresAvailability {
  const hasBoth = (dir: string) => isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'postgres'));
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    return hasBoth(fromEnv) ? { available: true, binDir: fromEnv } : { available: false, reason: `POSTGRES_BIN_DIR=${fromEnv} has no initdb and postgres` };
  }
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/u.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    versions = [];
  }
  const binDir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find(hasBoth);
  if (binDir !== undefined) return { available: true, binDir };
  return { available: false, reason: 'no PostgreSQL server in /usr/lib/postgresql/*/bin (install Debian\'s postgresql or set POSTGRES_BIN_DIR)' };
}

/**
 * Whether the PostgreSQL server tests can run. Under `CI=true` a missing server fails the run
 * instead of skipping: CI must test PostgreSQL.
 */
export const postgresAvailability: PostgresAvailability = findPostgres();
if (!postgresAvailability.available && process.env.CI === 'true') {
  throw new Error(`CI=true and the PostgreSQL tests cannot run: ${postgresAvailability.reason}`);
}

/** The name suffix a skipped PostgreSQL suite carries, so the report says why. */
export const postgresSkipNote = postgresAvailability.available ? '' : ` (skipped: ${postgresAvailability.reason})`;

/** A PostgreSQL server this test process started, in a temporary directory, on 127.0.0.1. */
export interface PostgresServer {
  readonly port: number;
  /** A connection string for the superuser `castgate`, database `postgres` (trust authentication). */
  readonly url: string;
  /** Stops the server and waits for it to exit: `fast` (SIGINT) by default, `immediate` (SIGQUIT, as a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again on the same port and data directory (what was committed is still there). */
  start(): Promise<void>;
  /** Stops it for good and removes its directory (call it in `afterAll`). */
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` system user. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) throw new Error('running as root and there is no `postgres` user to run the server as');
  return { uid: Number(uid), gid: Number(gid) };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Runs `initdb` into a temporary directory and starts `postgres` on a free port of 127.0.0.1
 * (with its socket in that directory, fsync off for speed: a killed server loses nothing
 * committed, only a machine crash could), then waits until it answers. Never the system service.
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  if (!postgresAvailability.available) throw new Error(postgresAvailability.reason);
  const { binDir } = postgresAvailability;
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'castgate-postgres-'));
  const data = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir);
  if (user !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chownSync(socketDir, user.uid, user.gid);
  }
  const asUser = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  const init = spawnSync(join(binDir, 'initdb'), ['-D', data, '-U', 'castgate', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    ...asUser,
    encoding: 'utf8',
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const url = `postgresql://castgate@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  async function start(): Promise<void> {
    if (child !== undefined) return;
    const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir,
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=32MB', '-c', 'max_connections=60'];
    const started = spawn(join(binDir, 'postgres'), args, { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const state = { running: true };
    exited = new Promise((resolve) => {
      started.once('exit', () => {
        state.running = false;
        resolve();
      });
    });
    child = started;
    for (let attempt = 0; attempt < 300; attempt++) {
      if (await answers(url)) return;
      if (!state.running) break;
      await sleep(50);
    }
    started.kill('SIGKILL');
    child = undefined;
    throw new Error(`postgres did not come up on port ${port}: ${stderr}`);
  }

  async function stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    const running = child;
    if (running === undefined) return;
    child = undefined;
    running.kill(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
    await exited;
  }

  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url,
    start,
    stop,
    async close() {
      await stop();
      process.removeListener('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
