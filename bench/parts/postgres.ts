import pg from 'pg';
import { evaluateCast, type CastStores } from 'castgate';
import { createPostgresStores, type NodePostgresClient } from 'castgate/postgres';
import { startPostgresServer } from '../../test/stores/postgres/postgres-server.js';
import { round, type BenchBudget } from '../harness.js';
import { addressPool, countingProvisioner, fullPathConfig, poolSize } from './memory.js';

const concurrency = 64;

/** Runs `concurrency` workers that call `op` back to back for `ms`, answering completed calls per second. */
async function throughput(ms: number, op: (n: number) => Promise<void>): Promise<number> {
  let done = 0;
  let next = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await op(next++);
        done++;
      }
    }),
  );
  return Math.round(done / ((performance.now() - started) / 1000));
}

/**
 * The full anonymous path on the PostgreSQL stores (a real local PostgreSQL server started for the
 * run, a node-postgres Pool of 16 connections, 64 requests in flight), and the statements each
 * decision sends (each is one round trip), counted by wrapping the client.
 */
export async function benchPostgres(budget: BenchBudget) {
  const server = await startPostgresServer();
  const pool = new pg.Pool({ connectionString: server.url, max: 16 });
  pool.on('error', () => undefined);
  let sent = 0;
  const counted: NodePostgresClient = {
    query: (text, values) => {
      sent++;
      return pool.query(text, values);
    },
  };
  try {
    // Deadlines well above any latency here: a timeout on a busy machine would deny, and the bench measures allowed decisions.
    const postgres = createPostgresStores(counted, { schema: 'bench', commandTimeoutMs: 30_000 });
    await postgres.migrate();
    const stores: CastStores = { ...postgres, sessions: countingProvisioner() };
    const addresses = addressPool();
    const query = { file: 'C:\\Reports\\Q1 2030.xlsx' };
    let denied = 0;
    const decide = async (n: number) => {
      const decision = await evaluateCast(fullPathConfig, { ip: addresses[n & (poolSize - 1)]!, referrer: 'https://example.com/', query }, stores, { storeTimeoutMs: 60_000 });
      if (!decision.allowed) denied++;
    };
    await throughput(Math.min(500, budget.warmupMs * 2), decide);

    const before = sent;
    await Promise.all(Array.from({ length: 200 }, (_, n) => decide(200_000 + n)));
    const roundTripsPerDecision = round((sent - before) / 200, 2);

    const rounds = budget.smoke ? 1 : 3;
    let castgate = 0;
    for (let r = 0; r < rounds; r++) castgate = Math.max(castgate, await throughput(budget.timeMs, (n) => decide(300_000 + r * 1_000_000 + n)));
    if (denied > 0) throw new Error(`the full path was denied ${denied} times: the bench must measure allowed decisions`);
    return { castgate: { opsPerSec: castgate }, roundTripsPerDecision, client: 'node-postgres Pool (16 connections)', concurrency };
  } finally {
    await pool.end();
    await server.close();
  }
}
