import { Bench } from 'tinybench';

/** How long each measured task runs: the full bench, or a smoke run that only proves the harness works. */
export interface BenchBudget {
  readonly timeMs: number;
  readonly warmupMs: number;
  readonly smoke: boolean;
}

export interface TaskFigures {
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly samples: number;
}

/**
 * Measures tasks side by side in one tinybench run (same process, same machine, interleaved warm-up),
 * answering ops/s (from the mean latency) and p50/p99 latency in microseconds.
 */
export interface BenchTask {
  readonly fn: () => unknown;
  /** Builds the task's own state, so neither side measures on a heap the other one filled. */
  readonly beforeAll?: () => void;
  /** Drops it again. */
  readonly afterAll?: () => void;
}

export async function measure(budget: BenchBudget, tasks: Record<string, BenchTask>): Promise<Record<string, TaskFigures>> {
  const bench = new Bench({ time: budget.timeMs, warmupTime: budget.warmupMs, iterations: budget.smoke ? 5 : 64 });
  for (const [name, task] of Object.entries(tasks)) {
    bench.add(name, task.fn, {
      beforeAll: () => {
        globalThis.gc?.();
        task.beforeAll?.();
      },
      afterAll: () => {
        task.afterAll?.();
        globalThis.gc?.();
      },
    });
  }
  await bench.run();
  const figures: Record<string, TaskFigures> = {};
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`bench task ${task.name} did not complete: ${result.state}`);
    figures[task.name] = {
      opsPerSec: Math.round(1000 / result.period),
      p50Us: round(result.latency.p50 * 1000),
      p99Us: round(result.latency.p99 * 1000),
      samples: result.latency.samplesCount,
    };
  }
  return figures;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function ratio(castgate: number, baseline: number): number {
  return baseline === 0 ? 0 : round(castgate / baseline, 3);
}
