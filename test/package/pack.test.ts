// Checks the package as users install it: `npm pack` on a fresh copy of the repository (no `dist`, as
// in a fresh clone, so `prepack` must build it), then import, require and type-check both entry points
// from a fresh project. Runs after `npm run build` (see vitest.package.config.ts).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicExports } from '../public-api.js';

const root = resolve(import.meta.dirname, '../..');
let project = '';
let clone = '';
let packedFiles: string[] = [];

const run = (file: string, args: string[], cwd = project) => execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'castgate-pack-'));
  // A fresh clone: the repository without its build output, installed packages or git metadata.
  clone = mkdtempSync(join(tmpdir(), 'castgate-clone-'));
  const skipped = new Set(['node_modules', 'dist', '.git', 'coverage']);
  cpSync(root, clone, { recursive: true, filter: (source) => !skipped.has(source.slice(root.length + 1).split('/')[0] ?? '') });
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
  run('npm', ['pack', '--pack-destination', project], clone);
  const tarball = readdirSync(project).find((name) => name.endsWith('.tgz'))!;
  packedFiles = run('tar', ['-tzf', join(project, tarball)]).split('\n').filter((line) => line !== '').map((line) => line.replace(/^package\//u, ''));
  const target = join(project, 'node_modules', 'castgate');
  mkdirSync(target, { recursive: true });
  run('tar', ['-xzf', join(project, tarball), '-C', target, '--strip-components=1']);
  // The dependencies are the repo's own installed copies (re2 compiles for 90 s; this test is about our files).
  for (const dep of ['zod', 're2', 're2js', 'jose', 'ipaddr.js', 'date-fns', 'ioredis', 'redis', '@redis', 'typescript', '@types', 'undici-types', 'express', 'fastify', '@opentelemetry']) {
    symlinkSync(join(root, 'node_modules', dep), join(project, 'node_modules', dep));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // The README's quick start pasted into a CommonJS project (as `npm init -y` makes it) and an ESM one.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const quickStart = /<!-- quick-start[^>]*-->\s*```ts\n([\s\S]*?)```/u.exec(readme)?.[1] ?? '';
  for (const type of ['commonjs', 'module']) {
    mkdirSync(join(project, type));
    writeFileSync(join(project, type, 'package.json'), JSON.stringify({ name: 'quick-start', version: '1.0.0', main: 'index.js', type }));
    writeFileSync(join(project, type, 'index.ts'), quickStart);
  }
});

afterAll(() => {
  if (project !== '') rmSync(project, { recursive: true, force: true });
  if (clone !== '') rmSync(clone, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('builds dist on prepack: a fresh clone packs the built entry points, the bin and their types', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/redis.js', 'dist/cli.js']));
  });

  it('ships only dist and the package documents', () => {
    expect(packedFiles.filter((path) => !path.startsWith('dist/') && !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(path))).toEqual([]);
  });

  const entries = {
    core: 'castgate', redis: 'castgate/redis', testing: 'castgate/testing',
    http: 'castgate/http', express: 'castgate/express', fastify: 'castgate/fastify', fetch: 'castgate/fetch',
    postgres: 'castgate/postgres', otel: 'castgate/otel',
  };

  it('imports every entry point from ESM with every public name', () => {
    const names = run('node', ['--input-type=module', '-e', `
      const entries = ${JSON.stringify(entries)}; const names = {};
      for (const [name, specifier] of Object.entries(entries)) names[name] = Object.keys(await import(specifier)).sort();
      console.log(JSON.stringify(names));`]);
    expect(JSON.parse(names)).toEqual(publicExports);
  });

  it('requires every entry point from CommonJS with every public name', () => {
    const names = run('node', ['-e', `
      const entries = ${JSON.stringify(entries)}; const names = {};
      for (const [name, specifier] of Object.entries(entries)) names[name] = Object.keys(require(specifier)).sort();
      console.log(JSON.stringify(names));`]);
    expect(JSON.parse(names)).toEqual(publicExports);
  });

  it('serves a cast link through castgate/express and castgate/fetch from the built ESM and CJS files', () => {
    const script = (load: string) => `${load}
      const config = parseCastConfig({ name: 'P', key: 'pack-test-0123456789', imageId: 'img', allowAnonymous: true });
      const handle = createCastFetchHandler({ configs: [config], stores: createMemoryStores() });
      const router = castgateExpress({ configs: [config], stores: createMemoryStores() });
      handle(new Request('http://h/cast/pack-test-0123456789', { headers: { accept: 'application/json' } }), { ip: '192.0.2.1' })
        .then(async (r) => console.log(r.status, (await r.json()).launch.imageId, typeof router));`;
    const esm = "import { parseCastConfig, createMemoryStores } from 'castgate'; import { createCastFetchHandler } from 'castgate/fetch'; import { castgateExpress } from 'castgate/express';";
    const cjs = "const { parseCastConfig, createMemoryStores } = require('castgate'); const { createCastFetchHandler } = require('castgate/fetch'); const { castgateExpress } = require('castgate/express');";
    expect(run('node', ['--input-type=module', '-e', script(esm)]).trim()).toBe('200 img function');
    expect(run('node', ['-e', script(cjs)]).trim()).toBe('200 img function');
  });

  it('evaluates a cast from the built ESM and CJS files alike', () => {
    const script = (load: string) => `${load}
      const config = parseCastConfig({ name: 'P', key: 'pack-test-0123456789', imageId: 'img', allowAnonymous: true, sessionsRemaining: 1 });
      const stores = createMemoryStores();
      Promise.all([evaluateCast(config, { ip: '192.0.2.1' }, stores), evaluateCast(config, { ip: '192.0.2.2' }, stores)])
        .then((ds) => console.log(ds.map((d) => d.allowed ? 'allowed' : d.error.code).join(',')));`;
    expect(run('node', ['--input-type=module', '-e', script("import { parseCastConfig, createMemoryStores, evaluateCast } from 'castgate';")]).trim())
      .toBe('allowed,quota_exhausted');
    expect(run('node', ['-e', script("const { parseCastConfig, createMemoryStores, evaluateCast } = require('castgate');")]).trim())
      .toBe('allowed,quota_exhausted');
  });

  it('traces and counts a decision through castgate/otel and the OpenTelemetry SDK, from the built ESM and CJS files', () => {
    const script = (load: string) => `${load}
      const spans = new InMemorySpanExporter();
      const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
      const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3600000 });
      const meterProvider = new MeterProvider({ readers: [reader] });
      const config = parseCastConfig({ name: 'P', key: 'pack-test-0123456789', imageId: 'img', allowAnonymous: true });
      const evaluate = createCastEvaluator({ ...castgateTelemetry({ tracerProvider, meterProvider }) });
      evaluate(config, { ip: '192.0.2.1' }, createMemoryStores()).then(async (decision) => {
        const [span] = spans.getFinishedSpans();
        const { resourceMetrics } = await reader.collect();
        const counter = resourceMetrics.scopeMetrics[0].metrics.find((m) => m.descriptor.name === 'castgate.decisions');
        console.log(decision.allowed, span.name, span.attributes['castgate.decision.id'] === decision.decisionId, span.attributes['castgate.client.network'], counter.dataPoints[0].value);
      });`;
    const esm = `import { parseCastConfig, createMemoryStores, createCastEvaluator } from 'castgate'; import { castgateTelemetry } from 'castgate/otel';
      import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
      import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';`;
    const cjs = `const { parseCastConfig, createMemoryStores, createCastEvaluator } = require('castgate'); const { castgateTelemetry } = require('castgate/otel');
      const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
      const { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');`;
    expect(run('node', ['--input-type=module', '-e', script(esm)]).trim()).toBe('true castgate.decision true 192.0.2.0/24 1');
    expect(run('node', ['-e', script(cjs)]).trim()).toBe('true castgate.decision true 192.0.2.0/24 1');
  });

  it('keeps @opentelemetry/api out of every entry point but castgate/otel (an optional peer)', () => {
    const dist = join(project, 'node_modules/castgate/dist');
    const loaders = readdirSync(dist).filter((name) => /\.c?js$/u.test(name) && !name.startsWith('otel.'));
    expect(loaders.length).toBeGreaterThan(5);
    expect(loaders.filter((name) => readFileSync(join(dist, name), 'utf8').includes('@opentelemetry'))).toEqual([]);
  });

  it('type-checks from ESM and CommonJS consumers (node16 resolution), the README quick start included', () => {
    const body = `
      const config = parseCastConfig({ name: 'P', key: 'pack-test-0123456789', imageId: 'img' });
      const decision: CastDecision = await evaluateCast(config, { ip: '192.0.2.1' }, createMemoryStores());
      const code: CastErrorCode | undefined = decision.error?.code;
      const stores: Pick<CastStores, 'rateLimit' | 'quota'> = createRedisStores({} as never);
      runContract(rateLimitStoreContract, () => createMemoryStores().rateLimit, test);
      const clock: () => Date = createTestClock('2030-01-01T00:00:00Z').now;
      const handle: CastHttpHandler = createCastHttpHandler({ configs: [config], stores: createMemoryStores() });
      const cast = createCastFetchHandler({ configs: (key: string) => (key === config.key ? config : undefined), stores: createMemoryStores() });
      const router = castgateExpress({ configs: [config], stores: createMemoryStores(), userOf: (req) => (req.get('x-user') === undefined ? null : { id: 'u' }) });
      const durable: Pick<CastStores, 'rateLimit' | 'quota' | 'admission'> = createPostgresStores({ query: async () => ({ rows: [] }) });
      const telemetry: CastTelemetry = castgateTelemetry({ tracerProvider: trace.getTracerProvider(), configLabel: (key: string) => (key === config.key ? config.name : undefined) });
      const traced = createCastEvaluator({ onDecision: (event) => { telemetry.onDecision(event); } });
      export { code, stores, clock, handle, cast, router, castgateFastify, durable, traced };`;
    const httpImports = `
      import { createCastHttpHandler, type CastHttpHandler } from 'castgate/http';
      import { createCastFetchHandler } from 'castgate/fetch';
      import { castgateExpress } from 'castgate/express';
      import { castgateFastify } from 'castgate/fastify';
      import { castgateTelemetry, type CastTelemetry } from 'castgate/otel';
      import { trace } from '@opentelemetry/api';`;
    writeFileSync(join(project, 'esm.mts'), `import { parseCastConfig, evaluateCast, createCastEvaluator, createMemoryStores, type CastDecision, type CastErrorCode, type CastStores } from 'castgate';
      import { createRedisStores } from 'castgate/redis';
      import { createPostgresStores } from 'castgate/postgres';
      import { createTestClock, rateLimitStoreContract, runContract } from 'castgate/testing';
      import { test } from 'node:test';${httpImports}${body}`);
    writeFileSync(join(project, 'cjs.cts'), `import { parseCastConfig, evaluateCast, createCastEvaluator, createMemoryStores, type CastDecision, type CastErrorCode, type CastStores } from 'castgate';
      import { createRedisStores } from 'castgate/redis';
      import { createPostgresStores } from 'castgate/postgres';
      import { createTestClock, rateLimitStoreContract, runContract } from 'castgate/testing';
      import { test } from 'node:test';${httpImports}
      async function main() {${body.replace('export { code, stores, clock, handle, cast, router, castgateFastify, durable, traced };', 'return [code, stores, clock, handle, cast, router, castgateFastify, durable, traced];')}}
      export { main };`);
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: false },
      files: ['esm.mts', 'cjs.cts', 'commonjs/index.ts', 'module/index.ts'],
    }));
    expect(() => run('node', [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'])).not.toThrow();
  });

  it.each(['commonjs', 'module'])('runs the README quick start as pasted into a %s project, with tsx', (type) => {
    const out = run(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'index.ts'], join(project, type));
    expect(out).toMatch(/^start kasmweb\/chrome for anon-/u);
  });

  describe('castgate/testing in a consumer project', () => {
    // The consumer's own store tests: castgate's contracts run on its memory stores (any store goes here).
    const contractFile = (runnerImport: string, testName: string) => `${runnerImport}
      import { createMemoryStores } from 'castgate';
      import { leaseStoreContract, quotaStoreContract, rateLimitStoreContract, runContract, sessionProvisionerContract } from 'castgate/testing';
      runContract(rateLimitStoreContract, () => createMemoryStores().rateLimit, ${testName});
      runContract(quotaStoreContract, () => createMemoryStores().quota, ${testName});
      runContract(sessionProvisionerContract, () => createMemoryStores().sessions, ${testName});
      runContract(leaseStoreContract, () => createMemoryStores().leases, ${testName});
    `;
    const caseCount = async () => {
      const testing = await import(join(project, 'node_modules/castgate/dist/testing.js')) as Record<string, readonly unknown[]>;
      return ['rateLimitStoreContract', 'quotaStoreContract', 'sessionProvisionerContract', 'leaseStoreContract'].reduce((n, name) => n + (testing[name]?.length ?? 0), 0);
    };

    it('runs the store contracts on node:test', async () => {
      writeFileSync(join(project, 'contracts.node.test.mjs'), contractFile("import { test } from 'node:test';", 'test'));
      const out = run('node', ['--test', '--test-reporter=tap', 'contracts.node.test.mjs']);
      expect(out).toMatch(new RegExp(`^# pass ${await caseCount()}$`, 'mu'));
      expect(out).toMatch(/^# fail 0$/mu);
    });

    it('runs the store contracts on vitest', async () => {
      mkdirSync(join(project, 'vitest-consumer'), { recursive: true });
      writeFileSync(join(project, 'vitest-consumer', 'contracts.test.mjs'), contractFile("import { it } from 'vitest';", 'it'));
      const out = run('node', [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', join(project, 'vitest-consumer'), '--reporter=json']);
      const report = JSON.parse(out) as { numPassedTests: number; numFailedTests: number };
      expect(report).toMatchObject({ numPassedTests: await caseCount(), numFailedTests: 0 });
    });

    it('fails a broken store on node:test, naming the case', () => {
      writeFileSync(join(project, 'broken.node.test.mjs'), `import { test } from 'node:test';
        import { createMemoryStores } from 'castgate';
        import { quotaStoreContract, runContract } from 'castgate/testing';
        runContract(quotaStoreContract, () => ({ ...createMemoryStores().quota, giveBack: async () => {} }), test);`);
      let out = '';
      try {
        run('node', ['--test', '--test-reporter=tap', 'broken.node.test.mjs']);
      } catch (error) {
        out = String((error as { stdout?: unknown }).stdout);
      }
      expect(out).toMatch(/^not ok \d+ - gives a unit back once per reservation/mu);
    });
  });

  it('ships the castgate bin with its shebang', () => {
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules/castgate/package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = readFileSync(join(project, 'node_modules/castgate', pkg.bin.castgate!), 'utf8');
    expect(bin.startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
