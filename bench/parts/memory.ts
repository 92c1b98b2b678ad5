import { RateLimiterMemory } from 'rate-limiter-flexible';
import { createMemoryStores, evaluateCast, parseCastConfig, type CastStores, type SessionProvisioner } from 'castgate';
import { measure, ratio, type BenchBudget } from '../harness.js';
import { floorName, floorTask } from './memory-floor.js';

/** The seed's Excel remote app, with its RE2 pattern, behind a referrer list, a per-IP limit and a quota. */
export const fullPathConfig = parseCastConfig({
  name: 'Bench', key: 'bench-0123456789abcdef', imageId: 'kasmweb/excel', allowAnonymous: true,
  allowedReferrers: ['example.com', '*.partner.example'],
  ipRateLimit: { sessions: 100, withinSeconds: 60 },
  sessionsRemaining: Number.MAX_SAFE_INTEGER,
  remoteApp: {
    remoteAppName: '||Microsoft Excel',
    args: [{ urlParamName: 'file', required: true, valuePattern: '([a-zA-Z]:\\\\)([^\\x00-\\x1F\\*\\"/:<>\\?\\\\\\|]+\\\\)*([^\\x00-\\x1F\\*\\"/:<>\\?\\\\\\|]+\\.(xls|xlsx|csv))' }],
  },
});

/** A provisioner that starts nothing and keeps nothing, so memory stays flat over millions of decisions. */
export const countingProvisioner = (): SessionProvisioner => {
  let n = 0;
  return {
    findRunning: () => Promise.resolve(null),
    provision: () => {
      n++;
      return Promise.resolve({ id: `s-${n}`, userId: `anon-${n}` });
    },
  };
};

/** How many distinct client addresses the benches rotate through (a power of two). */
export const poolSize = 1 << 20;

/** `size` distinct client addresses (1,048,576 by default: the HTTP and Redis benches give each request a new one). */
export function addressPool(size = poolSize): string[] {
  return Array.from({ length: size }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
}

/**
 * How many clients the `memory` workload cycles through (a power of two). Each address comes back
 * about every 65,536 calls, well under the limit of 100 a minute on either side, so every decision is
 * allowed; and neither side pays for a fresh key per call (SPEC §B: a new key costs
 * `RateLimiterMemory` a timer that castgate's store does not pay).
 */
export const memoryClients = 1 << 16;


/**
 * SPEC §10 `memory`: the full anonymous path (referrer list, per-IP limit of 100 a minute, quota, the
 * RE2 remote app, a provisioner that keeps nothing) on `createMemoryStores()`' rate-limit and quota
 * stores, against `RateLimiterMemory.consume` with the same limit over the same clients.
 */
export async function benchMemory(budget: BenchBudget) {
  const addresses = addressPool(memoryClients);
  const mask = memoryClients - 1;
  const query = { file: 'C:\\Reports\\Q1 2030.xlsx' };
  let stores: CastStores | undefined;
  let limiter: RateLimiterMemory | undefined;
  let i = 0;
  let j = 0;
  let k = 0;
  let denied = 0;
  const figures = await measure(budget, {
    castgate: {
      beforeAll: () => {
        const memory = createMemoryStores();
        stores = { rateLimit: memory.rateLimit, quota: memory.quota, sessions: countingProvisioner() };
      },
      afterAll: () => {
        stores = undefined;
      },
      fn: async () => {
        const decision = await evaluateCast(fullPathConfig, { ip: addresses[i++ & mask]!, referrer: 'https://example.com/page', query }, stores!);
        if (!decision.allowed) denied++;
      },
    },
    'rate-limiter-flexible RateLimiterMemory.consume': {
      beforeAll: () => {
        limiter = new RateLimiterMemory({ points: 100, duration: 60 });
      },
      afterAll: () => {
        limiter = undefined;
      },
      fn: async () => {
        await limiter!.consume(addresses[j++ & mask]!);
      },
    },
    [floorName]: floorTask(
      { config: fullPathConfig, limit: 100, windowMs: 60_000, keepSessions: 0 },
      () => ({ ip: addresses[k++ & mask]!, referrer: 'https://example.com/page', query }),
      () => denied++,
    ),
  });
  if (denied > 0) throw new Error(`the full path was denied ${denied} times: the bench must measure allowed decisions`);
  const castgate = figures.castgate!;
  const baseline = figures['rate-limiter-flexible RateLimiterMemory.consume']!;
  const floorFigures = figures[floorName]!;
  return {
    castgate: { opsPerSec: castgate.opsPerSec, p50Us: castgate.p50Us, p99Us: castgate.p99Us },
    baseline: { name: 'rate-limiter-flexible RateLimiterMemory.consume', opsPerSec: baseline.opsPerSec, p50Us: baseline.p50Us, p99Us: baseline.p99Us },
    ratio: ratio(castgate.opsPerSec, baseline.opsPerSec),
    floor: { name: floorName, opsPerSec: floorFigures.opsPerSec, ratio: ratio(floorFigures.opsPerSec, baseline.opsPerSec) },
  };
}
