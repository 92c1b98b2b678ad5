import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresAvailability } from '../stores/postgres/postgres-server.js';
import { redisAvailability } from '../stores/redis/redis-server.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'castgate-bench-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

// The bench is not part of npm test, but a tiny run of every part is, so the harness cannot rot.
// It runs on the sources (the root tsconfig maps `castgate` to src/), not on a build.
describe('bench harness (smoke run)', () => {
  it('runs every part and writes results.json in the shape SPEC §10 gives', async () => {
    const parts = ['memoryStore,regex,memory,memoryRepeated', redisAvailability.available ? 'redis' : '', postgresAvailability.available ? 'postgres' : '', 'http']
      .filter((part) => part !== '').join(',');
    const out = join(dir, 'results.json');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/index.ts', '--smoke', '--only', parts, '--out', out], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
      timeout: 120_000,
    });
    expect(stdout).toContain('memory (decisions/s)');
    const results = JSON.parse(readFileSync(out, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(results).toMatchObject({ node: process.version });
    expect(results.memory).toMatchObject({
      castgate: { opsPerSec: expect.any(Number), p50Us: expect.any(Number), p99Us: expect.any(Number) },
      baseline: { name: expect.stringContaining('RateLimiterMemory'), opsPerSec: expect.any(Number) },
      ratio: expect.any(Number),
    });
    expect(results.memoryRepeated).toMatchObject({
      castgate: { opsPerSec: expect.any(Number) },
      baseline: { name: expect.stringContaining('RateLimiterMemory'), opsPerSec: expect.any(Number) },
      ratio: expect.any(Number),
    });
    for (const part of [results.memory, results.memoryRepeated]) {
      expect(part).toMatchObject({ floor: { name: expect.stringContaining('floor'), opsPerSec: expect.any(Number), ratio: expect.any(Number) } });
    }
    expect(results.http).toMatchObject({ castgate: { reqPerSec: expect.any(Number) }, baseline: { reqPerSec: expect.any(Number) }, ratio: expect.any(Number), floor: { reqPerSec: expect.any(Number), ratio: expect.any(Number) } });
    expect(results.regex).toMatchObject({ re2: expect.any(Array), re2js: expect.any(Array), regexp: expect.any(Array) });
    expect((results.regex as { re2js: unknown[] }).re2js.length).toBeGreaterThan(0);
    expect(results.memoryStore).toMatchObject({ addresses: expect.any(Number), keyCap: expect.any(Number), peakHeapBytes: expect.any(Number), heapAfterPruneBytes: expect.any(Number) });
    if (redisAvailability.available) {
      expect(results.redis).toMatchObject({ castgate: { opsPerSec: expect.any(Number) }, commandsPerDecision: 1, ratio: expect.any(Number) });
    }
    if (postgresAvailability.available) {
      expect(results.postgres).toMatchObject({ castgate: { opsPerSec: expect.any(Number) }, roundTripsPerDecision: expect.any(Number) });
    }
  }, 150_000);
});
