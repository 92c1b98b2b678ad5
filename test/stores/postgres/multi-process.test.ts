import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStores } from '../../../src/stores/postgres/index.js';
import type { ServerClientKind } from './clients.js';
import { runWorkerProcesses } from '../../helpers/worker-processes.js';
import type { WorkerJob, WorkerReport } from './multi-process-worker.js';
import { postgresAvailability, postgresSkipNote, startPostgresServer, type PostgresServer } from './postgres-server.js';

const workerPath = fileURLToPath(new URL('./multi-process-worker.ts', import.meta.url));
const nowMs = Date.parse('2030-01-01T12:00:00Z');
const clientKinds: readonly ServerClientKind[] = ['node-postgres Pool', 'postgres.js'];

/** Runs `jobs.length` worker processes (node-postgres and postgres.js in turn); each waits until all are connected, then decides its requests. */
function runWorkers(url: string, schema: string, jobs: readonly Omit<WorkerJob, 'type'>[]): Promise<WorkerReport[]> {
  return runWorkerProcesses<WorkerReport>(workerPath, jobs, (i) => ({
    CASTGATE_POSTGRES_URL: url,
    CASTGATE_POSTGRES_SCHEMA: schema,
    CASTGATE_POSTGRES_CLIENT: clientKinds[i % 2] as ServerClientKind,
  }));
}

function count(reports: readonly WorkerReport[], outcome: string): number {
  return reports.reduce((sum, report) => sum + report.outcomes.filter((o) => o.outcome === outcome).length, 0);
}

describe.skipIf(!postgresAvailability.available)(`many processes sharing PostgreSQL stores${postgresSkipNote}`, () => {
  let server: PostgresServer;
  let admin: pg.Pool;

  beforeAll(async () => {
    server = await startPostgresServer();
    admin = new pg.Pool({ connectionString: server.url, max: 2 });
    admin.on('error', () => undefined);
    for (const schema of ['quota_test', 'rate_test', 'both_test']) await createPostgresStores(admin, { schema }).migrate();
  });

  afterAll(async () => {
    await admin.end();
    await server.close();
  });

  it('serves exactly 100 sessions when 4 worker processes send 250 requests each to a link with 100 left', { timeout: 180_000 }, async () => {
    const config = { name: 'Launch day', key: 'launch-day-0123456789', imageId: 'desktop', allowAnonymous: true, sessionsRemaining: 100 };
    const jobs = Array.from({ length: 4 }, (_, w) => ({
      config,
      nowMs,
      ips: Array.from({ length: 250 }, (_, i) => `10.${w}.${i >> 8}.${i & 255}`),
    }));
    const reports = await runWorkers(server.url, 'quota_test', jobs);

    expect(count(reports, 'created')).toBe(100);
    expect(count(reports, 'quota_exhausted')).toBe(900);
    expect(await createPostgresStores(admin, { schema: 'quota_test' }).quota.remaining(config.key)).toBe(0);
  });

  it('serves exactly the limit per address when 4 worker processes send 250 requests each over 10 addresses', { timeout: 180_000 }, async () => {
    const config = { name: 'Trial', key: 'trial-0123456789abcdef', imageId: 'desktop', allowAnonymous: true, ipRateLimit: { sessions: 3, withinSeconds: 60 } };
    const addresses = Array.from({ length: 10 }, (_, i) => `192.0.2.${i + 1}`);
    const jobs = Array.from({ length: 4 }, () => ({ config, nowMs, ips: Array.from({ length: 250 }, (_, i) => addresses[i % 10]!) }));
    const reports = await runWorkers(server.url, 'rate_test', jobs);

    const servedPerAddress = new Map(addresses.map((ip) => [ip, 0]));
    for (const report of reports) {
      for (const { ip, outcome } of report.outcomes) if (outcome === 'created') servedPerAddress.set(ip, (servedPerAddress.get(ip) ?? 0) + 1);
    }
    expect([...servedPerAddress.values()]).toEqual(addresses.map(() => 3));
    expect(count(reports, 'rate_limited')).toBe(1000 - 30);
  });

  it('serves exactly 25 with both limits: 4 × 250 requests over 20 addresses (2 each), 25 sessions left', { timeout: 180_000 }, async () => {
    const config = {
      name: 'Both', key: 'both-limits-0123456789', imageId: 'desktop', allowAnonymous: true,
      sessionsRemaining: 25, ipRateLimit: { sessions: 2, withinSeconds: 600 },
    };
    const addresses = Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`);
    const jobs = Array.from({ length: 4 }, (_, w) => ({ config, nowMs, ips: Array.from({ length: 250 }, (_, i) => addresses[(i + w) % 20]!) }));
    const reports = await runWorkers(server.url, 'both_test', jobs);

    expect(count(reports, 'created')).toBe(25);
    expect(count(reports, 'created') + count(reports, 'rate_limited') + count(reports, 'quota_exhausted')).toBe(1000);
    const servedPerAddress = new Map<string, number>();
    for (const report of reports) {
      for (const { ip, outcome } of report.outcomes) if (outcome === 'created') servedPerAddress.set(ip, (servedPerAddress.get(ip) ?? 0) + 1);
    }
    expect(Math.max(...servedPerAddress.values())).toBeLessThanOrEqual(2);
    expect(await createPostgresStores(admin, { schema: 'both_test' }).quota.remaining(config.key)).toBe(0);
  });
});
