import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publicExports } from './public-api.js';

const srcDir = resolve(import.meta.dirname, '../src');

describe('public API', () => {
  it('castgate exports exactly the listed names', async () => {
    expect(Object.keys(await import('../src/index.js')).sort()).toEqual(publicExports.core);
  });

  it('castgate/redis exports exactly the listed names', async () => {
    expect(Object.keys(await import('../src/stores/redis/index.js')).sort()).toEqual(publicExports.redis);
  });

  it('castgate/http, castgate/express, castgate/fastify and castgate/fetch export exactly the listed names', async () => {
    expect(Object.keys(await import('../src/http/index.js')).sort()).toEqual(publicExports.http);
    expect(Object.keys(await import('../src/http/express.js')).sort()).toEqual(publicExports.express);
    expect(Object.keys(await import('../src/http/fastify.js')).sort()).toEqual(publicExports.fastify);
    expect(Object.keys(await import('../src/http/fetch.js')).sort()).toEqual(publicExports.fetch);
  });

  it('castgate/testing exports exactly the listed names', async () => {
    expect(Object.keys(await import('../src/testing/index.js')).sort()).toEqual(publicExports.testing);
  });

  it('castgate/postgres exports exactly the listed names', async () => {
    expect(Object.keys(await import('../src/stores/postgres/index.js')).sort()).toEqual(publicExports.postgres);
  });

  it('castgate/otel exports exactly the listed names', async () => {
    expect(Object.keys(await import('../src/otel/index.js')).sort()).toEqual(publicExports.otel);
  });

  it('names every export SPEC §1 promises', () => {
    for (const name of ['evaluateCast', 'createCastEvaluator', 'defaultGuards', 'buildRemoteAppArgs', 'parseCastConfig',
      'safeParseCastConfig', 'fromKasmCastConfig', 'castConfigSchema', 'castConfigJsonSchema', 'createMemoryStores',
      'CastConfigError', 'castErrorStatus', 'recaptchaVerifier', 'turnstileVerifier', 'hcaptchaVerifier', 'toHttpResponse']) {
      expect(publicExports.core).toContain(name);
    }
    expect(publicExports.redis).toContain('createRedisStores');
    for (const name of ['createTestClock', 'rateLimitStoreContract', 'quotaStoreContract', 'sessionProvisionerContract', 'leaseStoreContract', 'runContract']) {
      expect(publicExports.testing).toContain(name);
    }
    expect(publicExports.postgres).toContain('createPostgresStores');
  });

  it('the core never imports a Redis client or a web framework (they are the host\'s choice)', () => {
    // Only the adapters of castgate/express and castgate/fastify import their framework.
    const adapters = new Set(['http/express.ts', 'http/fastify.ts']);
    const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('stores/redis') && !adapters.has(f));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const imports = [...readFileSync(join(srcDir, file), 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gmu)].map((m) => m[1]);
      expect(imports.filter((name) => /^(ioredis|redis|@redis\/|express|fastify)/u.test(name ?? '')), file).toEqual([]);
    }
  });

  it('only castgate/otel imports @opentelemetry/api (an optional peer), and it imports only types from the core', () => {
    const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const source = readFileSync(join(srcDir, file), 'utf8');
      const imports = [...source.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gmu)].map((m) => m[1]);
      if (!file.startsWith('otel/')) expect(imports.filter((name) => (name ?? '').startsWith('@opentelemetry/')), file).toEqual([]);
      else expect([...source.matchAll(/^import (?!type\b)[^;]*?from '(\.\.\/[^']+)'/gmu)].map((m) => m[1]), file).toEqual([]);
    }
  });

  it('no source file imports a PostgreSQL client: castgate/postgres takes the host\'s as it is', () => {
    const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const imports = [...readFileSync(join(srcDir, file), 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gmu)].map((m) => m[1]);
      expect(imports.filter((name) => /^(pg|postgres|@electric-sql\/)/u.test(name ?? '')), file).toEqual([]);
    }
  });
});
