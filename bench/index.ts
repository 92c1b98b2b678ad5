// `npm run bench [-- --only memory,regex] [-- --smoke]`: castgate measured side by side with what a user
// would pick instead, in the same run on the same machine. Prints a table and writes bench/results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchBudget } from './harness.js';
import { benchHttp } from './parts/http.js';
import { benchMemoryRepeated } from './parts/memory-repeated.js';
import { benchMemoryStore } from './parts/memory-store.js';
import { benchMemory } from './parts/memory.js';
import { benchPostgres } from './parts/postgres.js';
import { benchRedis } from './parts/redis.js';
import { benchRegex } from './parts/regex.js';
import { printResults } from './table.js';

const parts = ['memory', 'memoryRepeated', 'redis', 'postgres', 'http', 'httpFastify', 'httpHono', 'regex', 'memoryStore'] as const;
type Part = (typeof parts)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string', default: new URL('./results.json', import.meta.url).pathname },
  },
});

const only = values.only === undefined ? [...parts] : values.only.split(',').map((p) => p.trim());
for (const part of only) {
  if (!parts.includes(part as Part)) {
    console.error(`unknown part "${part}"; choose from ${parts.join(', ')}`);
    process.exit(2);
  }
}
const smoke = values.smoke;
const budget: BenchBudget = smoke ? { timeMs: 50, warmupMs: 10, smoke } : { timeMs: 3_000, warmupMs: 500, smoke };

let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(readFileSync(values.out, 'utf8')) as Record<string, unknown>;
} catch {
  previous = {};
}
const results: Record<string, unknown> = {
  ...previous,
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  node: process.version,
  date: new Date().toISOString(),
};

// The memory-store spray runs first, on a clean heap: the other parts leave large pools behind.
if (only.includes('memoryStore')) results.memoryStore = await benchMemoryStore(smoke);
if (only.includes('regex')) results.regex = benchRegex(smoke);
if (only.includes('memory')) results.memory = await benchMemory(budget);
if (only.includes('memoryRepeated')) results.memoryRepeated = await benchMemoryRepeated(budget);
if (only.includes('redis')) results.redis = await benchRedis(budget);
if (only.includes('postgres')) results.postgres = await benchPostgres(budget);
if (only.includes('http')) results.http = await benchHttp(smoke, 'express');
if (only.includes('httpFastify')) results.httpFastify = await benchHttp(smoke, 'fastify');
if (only.includes('httpHono')) results.httpHono = await benchHttp(smoke, 'hono');

writeFileSync(values.out, `${JSON.stringify(results, null, 2)}\n`);
printResults(results, only);
console.log(`\nwrote ${values.out}`);
