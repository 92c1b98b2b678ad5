import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createMemoryStores, evaluateCast, parseCastConfig, type CastStores } from 'castgate';
import { measure, ratio, type BenchBudget } from '../harness.js';
import { floorName, floorTask } from './memory-floor.js';
import { addressPool, fullPathConfig } from './memory.js';

/** How many clients the repeated workload cycles through (a power of two). */
export const repeatedClients = 1 << 16;

/** The `memory` path's config, with a limit no client reaches: 10,000 sessions an hour. */
const repeatedConfig = parseCastConfig({
  name: fullPathConfig.name,
  key: fullPathConfig.key,
  imageId: fullPathConfig.imageId,
  allowAnonymous: true,
  allowedReferrers: [...fullPathConfig.allowedReferrers],
  ipRateLimit: { sessions: 10_000, withinSeconds: 3_600 },
  sessionsRemaining: Number.MAX_SAFE_INTEGER,
  remoteApp: {
    remoteAppName: fullPathConfig.remoteApp!.remoteAppName,
    args: fullPathConfig.remoteApp!.args.map((arg) => ({ ...arg })),
  },
});

/**
 * SPEC §B `memoryRepeated`: the full anonymous path on default `createMemoryStores()` (its own
 * provisioner and `maxKeys` 100,000 included), 65,536 clients cycled again and again, so windows
 * hold many slots and every decision is allowed; against `RateLimiterMemory.consume` over the same
 * 65,536 keys with the same limit. Neither side pays for a fresh key per call: each key is created
 * once and then reused.
 */
export async function benchMemoryRepeated(budget: BenchBudget) {
  const addresses = addressPool(repeatedClients);
  const query = { file: 'C:\\Reports\\Q1 2030.xlsx' };
  const mask = repeatedClients - 1;
  let stores: CastStores | undefined;
  let limiter: RateLimiterMemory | undefined;
  let i = 0;
  let j = 0;
  let k = 0;
  let denied = 0;
  const baselineName = 'rate-limiter-flexible RateLimiterMemory.consume (same keys)';
  const figures = await measure(budget, {
    castgate: {
      beforeAll: () => {
        stores = createMemoryStores();
      },
      afterAll: () => {
        stores = undefined;
      },
      fn: async () => {
        const decision = await evaluateCast(repeatedConfig, { ip: addresses[i++ & mask]!, referrer: 'https://example.com/page', query }, stores!);
        if (!decision.allowed) denied++;
      },
    },
    [baselineName]: {
      beforeAll: () => {
        limiter = new RateLimiterMemory({ points: 10_000, duration: 3_600 });
      },
      afterAll: () => {
        limiter = undefined;
      },
      fn: async () => {
        await limiter!.consume(addresses[j++ & mask]!);
      },
    },
    [floorName]: floorTask(
      { config: repeatedConfig, limit: 10_000, windowMs: 3_600_000, keepSessions: 10_000 },
      () => ({ ip: addresses[k++ & mask]!, referrer: 'https://example.com/page', query }),
      () => denied++,
    ),
  });
  if (denied > 0) throw new Error(`the repeated path was denied ${denied} times: the bench must measure allowed decisions`);
  const castgate = figures.castgate!;
  const baseline = figures[baselineName]!;
  return {
    castgate: { opsPerSec: castgate.opsPerSec, p50Us: castgate.p50Us, p99Us: castgate.p99Us },
    baseline: { name: baselineName, opsPerSec: baseline.opsPerSec },
    ratio: ratio(castgate.opsPerSec, baseline.opsPerSec),
    floor: { name: floorName, opsPerSec: figures[floorName]!.opsPerSec, ratio: ratio(figures[floorName]!.opsPerSec, baseline.opsPerSec) },
  };
}
