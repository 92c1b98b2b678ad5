import { createMemoryStores } from 'castgate';

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Sprays the memory rate-limit store with distinct addresses (one take each) and reports the heap
 * before, its peak during the spray (sampled, garbage included), what the store retains at its peak
 * (after a full GC), and the heap once the window has passed and the store pruned. Run with `--expose-gc` for stable
 * figures (`npm run bench` does).
 */
export async function benchMemoryStore(smoke: boolean) {
  const addresses = smoke ? 20_000 : 1_000_000;
  const keyCap = smoke ? 5_000 : 100_000;
  const { rateLimit } = createMemoryStores({ maxKeys: keyCap });
  const windowMs = 60_000;
  const t0 = 1_900_000_000_000;
  const before = heapUsed();
  let peak = before;
  for (let i = 0; i < addresses; i++) {
    await rateLimit.take({ key: `cast:bench:v4:${(i >>> 24) & 255}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`, limit: 1, windowMs, nowMs: t0 + i });
    if ((i & 65_535) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const keysAtPeak = rateLimit.size;
  const retainedAtPeak = heapUsed();
  // Past the window every entry is stale: the next takes prune them.
  const later = t0 + addresses + windowMs + 1;
  rateLimit.prune(later);
  const after = heapUsed();
  return {
    addresses,
    keyCap,
    keysAtPeak,
    keysAfterPrune: rateLimit.size,
    heapBeforeBytes: before,
    peakHeapBytes: peak,
    retainedAtPeakBytes: retainedAtPeak,
    heapAfterPruneBytes: after,
  };
}
