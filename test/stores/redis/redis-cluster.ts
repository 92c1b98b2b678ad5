import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../../helpers/server-process.js';
import { redisAvailability } from './redis-server.js';

const run = promisify(execFile);

/** A 3-master Redis Cluster this test process started on 127.0.0.1 (no replicas, no persistence). */
export interface RedisCluster {
  /** The masters' ports, in the order they were started. */
  readonly ports: readonly number[];
  /** Asks one node: the reply of `redis-cli -p <port> ...args`. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The port of the master that serves `key`. */
  masterOf(key: string): Promise<number>;
  /** Kills one master with SIGKILL (a crash, not a shutdown). */
  kill(port: number): Promise<void>;
  /** Stops every node and removes their directories. */
  close(): Promise<void>;
}

/** `redis-cli` beside the `redis-server` the tests use. */
function redisCli(): string {
  if (!redisAvailability.available) throw new Error(redisAvailability.reason);
  return join(dirname(redisAvailability.binary), 'redis-cli');
}

/** Free ports whose cluster bus port (port + 10000) is free too. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (port > 55_000 || ports.includes(port)) continue;
    try {
      await freePort(port + 10_000);
      ports.push(port);
    } catch {
      // the bus port is taken: try another
    }
  }
  return ports;
}

/**
 * Starts three `redis-server --cluster-enabled yes` nodes on free ports (each in its own directory),
 * joins them with `redis-cli --cluster create ... --cluster-replicas 0 --cluster-yes`, and waits until
 * every node reports `cluster_state:ok`. Rejects when that does not happen within 30 s.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  if (!redisAvailability.available) throw new Error(redisAvailability.reason);
  const { binary } = redisAvailability;
  const cli = redisCli();
  const root = mkdtempSync(join(tmpdir(), 'castgate-cluster-'));
  const ports = await freePorts(3);
  const children = new Map<number, ChildProcess>();
  const killAll = () => {
    for (const child of children.values()) child.kill('SIGKILL');
  };
  process.once('exit', killAll);

  const ask = async (port: number, ...args: string[]): Promise<string> => {
    const { stdout } = await run(cli, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
    return stdout.trim();
  };

  try {
    for (const port of ports) {
      const dir = join(root, String(port));
      mkdirSync(dir);
      const child = spawn(
        binary,
        ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
          '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', dir],
        { stdio: 'ignore' },
      );
      children.set(port, child);
    }
    for (const port of ports) {
      for (let attempt = 0; ; attempt++) {
        if ((await ask(port, 'PING').catch(() => '')) === 'PONG') break;
        if (attempt > 200) throw new Error(`cluster node ${port} did not come up`);
        await sleep(50);
      }
    }
    await run(cli, ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (let attempt = 0; ; attempt++) {
      const states = await Promise.all(ports.map((port) => ask(port, 'CLUSTER', 'INFO').catch(() => '')));
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (attempt > 300) throw new Error('the cluster did not reach cluster_state:ok');
      await sleep(100);
    }
  } catch (error) {
    killAll();
    process.removeListener('exit', killAll);
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  return {
    ports,
    cli: ask,
    async masterOf(key) {
      const slot = Number(await ask(ports[0] as number, 'CLUSTER', 'KEYSLOT', key));
      const lines = (await ask(ports[0] as number, 'CLUSTER', 'NODES')).split('\n');
      for (const line of lines) {
        const fields = line.split(' ');
        const port = Number((fields[1] ?? '').split(':')[1]?.split('@')[0]);
        for (const range of fields.slice(8)) {
          const [from, to] = range.split('-').map(Number);
          if (from !== undefined && slot >= from && slot <= (to ?? from)) return port;
        }
      }
      throw new Error(`no master serves slot ${slot}`);
    },
    async kill(port) {
      const child = children.get(port);
      if (child === undefined) return;
      children.delete(port);
      const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
      child.kill('SIGKILL');
      await exited;
    },
    async close() {
      const exits = [...children.values()].map((child) => new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => { resolve(); });
      }));
      killAll();
      await Promise.all(exits);
      children.clear();
      process.removeListener('exit', killAll);
      rmSync(root, { recursive: true, force: true });
    },
  };
}
