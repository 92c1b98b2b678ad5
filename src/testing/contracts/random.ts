/**
 * A seeded pseudo-random generator (mulberry32): the contracts' model checks draw their operation
 * sequences from it, so a failure names a seed and replays exactly, on any runner, without a
 * property-testing library.
 */
export interface SeededRandom {
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  /** One of the given values. */
  pick<T>(values: readonly T[]): T;
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T,
  };
}

/** Runs `check` for `runs` seeds; a failure is re-thrown with the seed and the steps it took. */
export async function forEachSeed(runs: number, check: (random: SeededRandom, log: string[]) => Promise<void>): Promise<void> {
  for (let seed = 1; seed <= runs; seed++) {
    const log: string[] = [];
    try {
      await check(seededRandom(seed), log);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`model check failed at seed ${seed} after: ${log.join(', ')}\n${message}`, { cause: error });
    }
  }
}
