import { fileURLToPath } from 'node:url';
import { runWorkerProcesses } from '../../helpers/worker-processes.js';
import type { WorkerJob, WorkerReport } from './multi-process-worker.js';

const workerPath = fileURLToPath(new URL('./multi-process-worker.ts', import.meta.url));

/**
 * Runs `jobs.length` worker processes (multi-process-worker.ts) on one redis-server (`port`) or a Redis
 * Cluster (its masters' ports); each waits until all are connected, then decides its requests.
 */
export function runWorkers(port: number | readonly number[], prefix: string, jobs: readonly Omit<WorkerJob, 'type'>[]): Promise<WorkerReport[]> {
  return runWorkerProcesses<WorkerReport>(workerPath, jobs, (i) => ({
    ...(typeof port === 'number' ? { CASTGATE_REDIS_PORT: String(port) } : { CASTGATE_REDIS_CLUSTER_PORTS: port.join(',') }),
    CASTGATE_REDIS_PREFIX: prefix,
    CASTGATE_REDIS_CLIENT: i % 2 === 0 ? 'ioredis' : 'node-redis',
  }));
}

/** How many requests of all workers ended with `outcome`. */
export function count(reports: readonly WorkerReport[], outcome: string): number {
  return reports.reduce((sum, report) => sum + report.outcomes.filter((o) => o.outcome === outcome).length, 0);
}
