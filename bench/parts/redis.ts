import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { evaluateCast, type CastStores } from 'castgate';
import { createRedisStores } from 'castgate/redis';
import { startRedisServer } from '../../test/stores/redis/redis-server.js';
import { ratio, round, type BenchBudget } from '../harness.js';
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

/** Commands Redis ran, from INFO commandstats: those clients sent (round trips), and all (scripts' own included). */
async function commandCounts(redis: Redis): Promise<{ sent: number; all: number }> {
  const info = await redis.info('commandstats');
  let sent = 0;
  let all = 0;
  for (const match of info.matchAll(/^cmdstat_([a-z|_]+):calls=(\d+)/gmu)) {
    const name = match[1] ?? '';
    if (name === 'info') continue;
    const calls = Number(match[2]);
    all += calls;
    if (name === 'evalsha' || name === 'eval' || name === 'script|load') sent += calls;
  }
  return { sent, all };
}

/**
 * The full anonymous path on the Redis stores (a real local redis-server, 64 requests in flight) next
 * to rate-limiter-flexible's RateLimiterRedis.consume with the same client and concurrency, and the
 * Redis commands each decision costs (from INFO commandstats deltas).
 */
export async function benchRedis(budget: BenchBudget) {
  const server = await startRedisServer();
  const redis = new Redis({ port: server.port, host: '127.0.0.1', enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  try {
    const stores: CastStores = { ...createRedisStores(redis, { prefix: 'bench:' }), sessions: countingProvisioner() };
    const limiter = new RateLimiterRedis({ storeClient: redis, points: 100, duration: 60, keyPrefix: 'rlf' });
    const addresses = addressPool();
    const query = { file: 'C:\\Reports\\Q1 2030.xlsx' };
    let denied = 0;
    const decide = async (n: number) => {
      const decision = await evaluateCast(fullPathConfig, { ip: addresses[n & (poolSize - 1)]!, referrer: 'https://example.com/', query }, stores);
      if (!decision.allowed) denied++;
    };
    const consume = async (n: number) => {
      await limiter.consume(addresses[n & (poolSize - 1)]!);
    };
    // warm-up: load scripts, open the connection
    await throughput(Math.min(500, budget.warmupMs * 2), decide);
    await throughput(Math.min(500, budget.warmupMs * 2), consume);
    await redis.flushall();

    const before = await commandCounts(redis);
    let counted = 0;
    await Promise.all(Array.from({ length: 200 }, async (_, n) => { await decide(100_000 + n); counted++; }));
    const after = await commandCounts(redis);
    // Round trips: the scripts castgate sent (one per store operation); and every command Redis ran.
    const commandsPerDecision = round((after.sent - before.sent) / counted, 2);
    const commandsInsideScriptsPerDecision = round((after.all - after.sent - (before.all - before.sent)) / counted, 2);

    const rounds = budget.smoke ? 1 : 3;
    let castgate = 0;
    let baseline = 0;
    for (let r = 0; r < rounds; r++) {
      await redis.flushall();
      castgate = Math.max(castgate, await throughput(budget.timeMs, decide));
      await redis.flushall();
      baseline = Math.max(baseline, await throughput(budget.timeMs, consume));
    }
    if (denied > 0) throw new Error(`the full path was denied ${denied} times: the bench must measure allowed decisions`);
    return {
      castgate: { opsPerSec: castgate },
      baseline: { name: 'rate-limiter-flexible RateLimiterRedis.consume', opsPerSec: baseline },
      ratio: ratio(castgate, baseline),
      commandsPerDecision,
      commandsInsideScriptsPerDecision,
      concurrency,
    };
  } finally {
    redis.disconnect();
    await server.close();
  }
}
