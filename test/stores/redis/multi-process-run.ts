import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerJob, WorkerReport } from './multi-process-worker.js';

const workerPath = fileURLToPath(new URL('./multi-process-worker.ts', import.meta.url));

/**
 * Runs `jobs.length` worker processes (multi-process-worker.ts) on one redis-server (`port`) or a Redis
 * Cluster (its masters' ports); each waits until all are connected, then decides its requests.
 */
export async function runWorkers(port: number | readonly number[], prefix: string, jobs: readonly Omit<WorkerJob, 'type'>[]): Promise<WorkerReport[]> {
  const workers: ChildProcess[] = jobs.map((_, i) =>
    fork(workerPath, [], {
      execArgv: ['--import', 'tsx'],
      env: {
        ...process.env,
        ...(typeof port === 'number' ? { CASTGATE_REDIS_PORT: String(port) } : { CASTGATE_REDIS_CLUSTER_PORTS: port.join(',') }),
        CASTGATE_REDIS_PREFIX: prefix,
        CASTGATE_REDIS_CLIENT: i % 2 === 0 ? 'ioredis' : 'node-redis',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const message = (worker: ChildProcess, type: string) =>
    new Promise<unknown>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type) {
          worker.off('message', onMessage);
          resolve(m);
        }
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => {
        reject(new Error(`worker exited (${code ?? 'signal'}) before sending ${type}`));
      });
    });
  try {
    await Promise.all(workers.map((worker) => message(worker, 'ready')));
    const reports = workers.map((worker) => message(worker, 'done'));
    workers.forEach((worker, i) => worker.send({ type: 'go', ...jobs[i] }));
    return (await Promise.all(reports)) as WorkerReport[];
  } finally {
    for (const worker of workers) if (worker.exitCode === null) worker.kill();
  }
}

/** How many requests of all workers ended with `outcome`. */
export function count(reports: readonly WorkerReport[], outcome: string): number {
  return reports.reduce((sum, report) => sum + report.outcomes.filter((o) => o.outcome === outcome).length, 0);
}
