import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, isExecutable, serverProcess } from '../../helpers/server-process.js';

/** Where usable PostgreSQL server binaries (`initdb`, `postgres`) are, or why there are none. */
export type PostgresAvailability = { available: true; binDir: string } | { available: false; reason: string };

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
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', socketDir,
    '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=32MB', '-c', 'max_connections=60'];
  const server = serverProcess({
    name: 'postgres',
    port,
    spawn: () => spawn(join(binDir, 'postgres'), args, { ...asUser, stdio: ['ignore', 'ignore', 'pipe'] }),
    answers: () => answers(url),
    attempts: 300,
  });
  const start = () => server.start();
  const stop = (mode: 'fast' | 'immediate' = 'fast') => server.stop(mode === 'fast' ? 'SIGINT' : 'SIGQUIT');

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
      server.release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
