import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { context, metrics, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type ContextManager, type MeterProvider as ApiMeterProvider, type TracerProvider as ApiTracerProvider } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCastEvaluator, createMemoryStores, parseCastConfig, type CastDecision, type CastDecisionEvent, type CastRequest, type CastStores } from 'castgate';
import { castgateTelemetry, castgateTelemetryNames as names, type CastTelemetryOptions } from 'castgate/otel';
import { createCastHttpHandler } from 'castgate/http';
import { createFakeCaptchaVerifier, createTestStores } from 'castgate/testing';
import { scopeVersion } from '../../src/otel/names.js';

const attr = names.attributes;

const openKey = 'otel-open-0123456789abcdef';
const open = parseCastConfig({ name: 'Open', key: openKey, imageId: 'kasmweb/chrome', allowAnonymous: true, ipRateLimit: { sessions: 1, withinSeconds: 60 } });
const guarded = parseCastConfig({ name: 'Guarded', key: 'otel-captcha-0123456789abcdef', imageId: 'kasmweb/chrome', allowAnonymous: true, requireCaptcha: true });
const quota = parseCastConfig({ name: 'Quota', key: 'otel-quota-0123456789abcdef', imageId: 'kasmweb/chrome', allowAnonymous: true, sessionsRemaining: 5 });

let spanExporter: InMemorySpanExporter;
let tracerProvider: BasicTracerProvider;
let metricExporter: InMemoryMetricExporter;
let meterProvider: MeterProvider;

beforeEach(() => {
  spanExporter = new InMemorySpanExporter();
  tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })] });
});

afterEach(async () => {
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
});

/** Everything the metric reader exports now (cumulative, so the last export holds it all). */
async function exportedMetrics(): Promise<MetricData[]> {
  await meterProvider.forceFlush();
  return metricExporter.getMetrics().at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
}

function metric(all: readonly MetricData[], name: string): MetricData {
  const found = all.find((m) => m.descriptor.name === name);
  if (found === undefined) throw new Error(`no metric ${name}`);
  return found;
}

/** The counter's value per `castgate.decision.code` (or `allowed` for allowed decisions). */
function countsByCode(data: MetricData): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const point of data.dataPoints) {
    const code = point.attributes[attr.decisionCode];
    const key = typeof code === 'string' ? code : 'allowed';
    counts[key] = (counts[key] ?? 0) + (point.value as number);
  }
  return counts;
}

function histogramCount(data: MetricData, filter: (attributes: Record<string, unknown>) => boolean = () => true): number {
  return data.dataPoints.filter((point) => filter(point.attributes)).reduce((n, point) => n + (point.value as Histogram).count, 0);
}

function onlySpan(): ReadableSpan {
  const spans = spanExporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

/** JSON of a value with cycles (a span refers to its processor, which refers to the exporter…). */
function jsonOf(value: unknown): string {
  const seen = new WeakSet();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[seen]';
      seen.add(v);
    }
    return v;
  });
}

function evaluatorWithTelemetry(options: CastTelemetryOptions = {}) {
  return createCastEvaluator({ ...castgateTelemetry({ tracerProvider, meterProvider, ...options }) });
}

describe('castgate/otel: one span per decision', () => {
  it('names the span castgate.decision and carries the decision id, outcome, status and masked client', async () => {
    const evaluate = evaluatorWithTelemetry();
    const decision = await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
    expect(decision.allowed).toBe(true);
    const span = onlySpan();
    expect(span.name).toBe('castgate.decision');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.instrumentationScope).toMatchObject({ name: 'castgate', version: scopeVersion });
    expect(span.attributes).toEqual({
      [attr.decisionId]: decision.decisionId,
      [attr.decisionAllowed]: true,
      [attr.decisionOutcome]: 'created',
      [attr.decisionStatus]: 200,
      [attr.clientNetwork]: '203.0.113.0/24',
      [attr.clientAnonymous]: true,
      [attr.configLabel]: expect.stringMatching(/^sha256:[0-9a-f]{16}$/u),
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('adds one castgate.guard event per guard of the trace, in order, with verdict and duration', async () => {
    const evaluate = evaluatorWithTelemetry();
    const decision = await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
    const span = onlySpan();
    expect(span.events.map((event) => event.name)).toEqual(decision.trace.map(() => 'castgate.guard'));
    expect(span.events.map((event) => event.attributes)).toEqual(decision.trace.map((entry) => ({
      [attr.guardName]: entry.guard,
      [attr.guardVerdict]: entry.verdict,
      [attr.guardDurationMs]: entry.durationMs,
      ...(entry.note === undefined ? {} : { [attr.guardNote]: entry.note }),
    })));
    expect(decision.trace.map((entry) => entry.guard)).toContain('rateLimit');
  });

  it('places guard events inside the span, in the order the guards ran', async () => {
    const evaluate = evaluatorWithTelemetry();
    await evaluate(quota, { ip: '203.0.113.9' }, createMemoryStores());
    const span = onlySpan();
    const toNs = ([s, ns]: readonly [number, number]) => BigInt(s) * 1_000_000_000n + BigInt(ns);
    const times = span.events.map((event) => toNs(event.time));
    expect(times.length).toBeGreaterThan(3);
    expect([...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(times);
    expect(times[0]! >= toNs(span.startTime)).toBe(true);
    expect(times.at(-1)! <= toNs(span.endTime)).toBe(true);
  });

  it('leaves an ordinary denial (rate_limited) unset: a refusal is the service working', async () => {
    const evaluate = evaluatorWithTelemetry();
    const stores = createMemoryStores();
    await evaluate(open, { ip: '203.0.113.9' }, stores);
    spanExporter.reset();
    const decision = await evaluate(open, { ip: '203.0.113.9' }, stores);
    expect(decision.error?.code).toBe('rate_limited');
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).toMatchObject({ [attr.decisionAllowed]: false, [attr.decisionOutcome]: 'denied', [attr.decisionCode]: 'rate_limited', [attr.decisionStatus]: 429 });
    expect(span.attributes).not.toHaveProperty(attr.errorType);
    expect(span.events.at(-1)?.attributes).toMatchObject({ [attr.guardName]: 'rateLimit', [attr.guardVerdict]: 'deny', [attr.guardCode]: 'rate_limited' });
  });

  it('marks a failure (store_unavailable) ERROR, with error.type and what failed in the status message', async () => {
    const evaluate = evaluatorWithTelemetry();
    const stores = createTestStores();
    stores.quota.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { name: 'RedisConnectionError' }), { method: 'take' });
    const decision = await evaluate(quota, { ip: '203.0.113.9' }, stores);
    expect(decision.error?.code).toBe('store_unavailable');
    const span = onlySpan();
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'store_unavailable at quota: failed: RedisConnectionError: connect ECONNREFUSED 127.0.0.1:6379' });
    expect(span.attributes).toMatchObject({ [attr.errorType]: 'store_unavailable', [attr.decisionStatus]: 503 });
    const all = await exportedMetrics();
    expect(metric(all, names.decisions).dataPoints[0]?.attributes).toMatchObject({ [attr.errorType]: 'store_unavailable', [attr.decisionCode]: 'store_unavailable' });
  });

  it('traces an invalid request too, with the client "invalid"', async () => {
    const evaluate = evaluatorWithTelemetry();
    const decision = await evaluate(open, { ip: 'not-an-address' }, createMemoryStores());
    expect(decision.error?.code).toBe('invalid_request');
    const span = onlySpan();
    expect(span.attributes).toMatchObject({ [attr.clientNetwork]: 'invalid', [attr.decisionCode]: 'invalid_request', [attr.decisionStatus]: 400 });
    expect(span.events.map((event) => event.attributes?.[attr.guardName])).toEqual(['request']);
  });

  it('masks an IPv6 client to its /48', async () => {
    const evaluate = evaluatorWithTelemetry();
    await evaluate(open, { ip: '2001:db8:1:2:3:4:5:6' }, createMemoryStores());
    expect(onlySpan().attributes[attr.clientNetwork]).toBe('2001:db8:1::/48');
  });

  it('is a child of the span active where the evaluation was called (an HTTP server span, say)', async () => {
    const storage = new AsyncLocalStorage<Context>();
    const manager: ContextManager = {
      active: () => storage.getStore() ?? ROOT_CONTEXT,
      with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
      bind: (_ctx, target) => target,
      enable() { return this; },
      disable() { storage.disable(); return this; },
    };
    context.setGlobalContextManager(manager);
    try {
      const evaluate = evaluatorWithTelemetry();
      const server = tracerProvider.getTracer('host');
      await server.startActiveSpan('GET /cast/:key', async (parent) => {
        await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
        parent.end();
      });
      const spans = spanExporter.getFinishedSpans();
      const decisionSpan = spans.find((span) => span.name === 'castgate.decision')!;
      const parentSpan = spans.find((span) => span.name === 'GET /cast/:key')!;
      expect(decisionSpan.parentSpanContext?.spanId).toBe(parentSpan.spanContext().spanId);
      expect(decisionSpan.spanContext().traceId).toBe(parentSpan.spanContext().traceId);
    } finally {
      context.disable();
    }
  });
});

describe('castgate/otel: metrics', () => {
  it('counts decisions by code in castgate.decisions and records each in castgate.decision.duration (seconds)', async () => {
    const evaluate = evaluatorWithTelemetry();
    const stores = createMemoryStores();
    await evaluate(open, { ip: '203.0.113.9' }, stores);
    await evaluate(open, { ip: '203.0.113.9' }, stores);
    await evaluate(open, { ip: '203.0.113.9' }, stores);
    await evaluate(open, { ip: 'nope' }, stores);
    const all = await exportedMetrics();
    const decisions = metric(all, names.decisions);
    expect(decisions.descriptor).toMatchObject({ unit: '{decision}' });
    expect(decisions.dataPointType).toBe(DataPointType.SUM);
    expect(countsByCode(decisions)).toEqual({ allowed: 1, rate_limited: 2, invalid_request: 1 });
    const allowedPoint = decisions.dataPoints.find((point) => point.attributes[attr.decisionAllowed] === true);
    expect(allowedPoint?.attributes).toEqual({
      [attr.configLabel]: expect.stringMatching(/^sha256:/u),
      [attr.decisionAllowed]: true,
      [attr.decisionOutcome]: 'created',
      [attr.clientAnonymous]: true,
    });
    const duration = metric(all, names.decisionDuration);
    expect(duration.descriptor).toMatchObject({ unit: 's' });
    expect(duration.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(histogramCount(duration)).toBe(4);
    expect(histogramCount(duration, (a) => a[attr.decisionCode] === 'rate_limited')).toBe(2);
    // The SDK took castgate's bucket advice: sub-millisecond buckets for in-memory decisions.
    expect((duration.dataPoints[0]!.value as Histogram).buckets.boundaries[0]).toBe(0.0001);
  });

  it('records every guard run in castgate.guard.duration, by guard and verdict, with guardDurations', async () => {
    const evaluate = evaluatorWithTelemetry({ guardDurations: true });
    const stores = createMemoryStores();
    const first = await evaluate(open, { ip: '203.0.113.9' }, stores);
    const second = await evaluate(open, { ip: '203.0.113.9' }, stores);
    const guards = metric(await exportedMetrics(), names.guardDuration);
    expect(histogramCount(guards, (a) => a[attr.guardName] === 'rateLimit' && a[attr.guardVerdict] === 'pass')).toBe(1);
    expect(histogramCount(guards, (a) => a[attr.guardName] === 'rateLimit' && a[attr.guardVerdict] === 'deny')).toBe(1);
    expect(histogramCount(guards, (a) => a[attr.guardName] === 'provision')).toBe(1);
    expect(histogramCount(guards)).toBe(first.trace.length + second.trace.length);
  });

  it('leaves castgate.guard.duration out by default (the span\'s guard events carry the durations)', async () => {
    const evaluate = evaluatorWithTelemetry();
    await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
    expect((await exportedMetrics()).map((m) => m.descriptor.name).sort()).toEqual([names.decisionDuration, names.decisions]);
  });

  it('labels configs by a fingerprint of the key by default, or by the host\'s configLabel', async () => {
    const names1 = new Map([[openKey, 'Open link']]);
    const evaluate = evaluatorWithTelemetry({ configLabel: (key) => names1.get(key) });
    await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
    await evaluate(quota, { ip: '203.0.113.9' }, createMemoryStores());
    const labels = metric(await exportedMetrics(), names.decisions).dataPoints.map((point) => point.attributes[attr.configLabel]).sort();
    // Unknown to the host's labeller: the fingerprint, never the key itself.
    expect(labels).toEqual(['Open link', expect.stringMatching(/^sha256:[0-9a-f]{16}$/u)]);
    const fingerprints = new Set<unknown>();
    for (let i = 0; i < 2; i++) {
      const again = evaluatorWithTelemetry();
      spanExporter.reset();
      await again(quota, { ip: '203.0.113.9' }, createMemoryStores());
      fingerprints.add(onlySpan().attributes[attr.configLabel]);
    }
    expect(fingerprints.size).toBe(1);
    expect(labels).toContain([...fingerprints][0]);
  });
});

describe('castgate/otel: nothing identifying leaves the process', () => {
  it('exports no raw address, user id, captcha token or config key, in spans or metrics', async () => {
    const ipv4 = '198.51.100.77';
    const ipv6 = '2001:db8:abcd:12:3456:789a:bcde:f012';
    const userId = 'user-5b0e2c9d41';
    const token = 'captcha-token-Zq81xYk3';
    const evaluate = evaluatorWithTelemetry();
    const stores: CastStores = { ...createMemoryStores(), captcha: createFakeCaptchaVerifier({ pass: [token] }) };
    const requests: readonly [typeof guarded, CastRequest][] = [
      [guarded, { ip: ipv4, captchaToken: token, referrer: 'https://example.com/page?secret=1' }],
      [guarded, { ip: ipv6, captchaToken: 'wrong-token-1234' }],
      [guarded, { ip: ipv4, user: { id: userId } }],
      [open, { ip: ipv4, user: { id: userId } }],
    ];
    const decisions: CastDecision[] = [];
    for (const [config, request] of requests) decisions.push(await evaluate(config, request, stores));
    expect(decisions.map((d) => d.allowed ? d.outcome : d.error.code)).toEqual(['created', 'captcha_failed', 'created', 'created']);
    const spans = spanExporter.getFinishedSpans();
    expect(spans).toHaveLength(4);
    expect(spans[2]!.attributes[attr.clientAnonymous]).toBe(false);
    const exported = jsonOf({ spans, metrics: metricExporter.getMetrics(), flushed: await exportedMetrics() });
    expect(exported).toContain('198.51.100.0/24');
    for (const secret of [ipv4, ipv6, '2001:db8:abcd:12', userId, token, 'wrong-token-1234', openKey, guarded.key, 'secret=1']) {
      expect(exported, secret).not.toContain(secret);
    }
  });
});

describe('castgate/otel: a broken tracer, meter or exporter never changes a decision', () => {
  const outcome = (d: CastDecision) => (d.allowed ? d.outcome : d.error.code);
  const scenario = async (evaluate: ReturnType<typeof createCastEvaluator>) => {
    const stores = createMemoryStores();
    const results: string[] = [];
    for (const ip of ['203.0.113.9', '203.0.113.9', 'bad']) results.push(outcome(await evaluate(open, { ip }, stores)));
    return results;
  };
  const expected = ['created', 'rate_limited', 'invalid_request'];

  it('decides the same with a tracer provider, tracer and span that throw', async () => {
    const throwingProvider = { getTracer: () => { throw new Error('tracer provider broke'); } } as ApiTracerProvider;
    expect(await scenario(createCastEvaluator(castgateTelemetry({ tracerProvider: throwingProvider })))).toEqual(expected);
    const tracer = trace.getTracer('x');
    const throwingTracer = { ...tracer, startSpan: () => { throw new Error('tracer broke'); } };
    const evaluate = createCastEvaluator(castgateTelemetry({ tracerProvider: { getTracer: () => throwingTracer }, meterProvider }));
    expect(await scenario(evaluate)).toEqual(expected);
    // The meter is separate: the metrics still count every decision.
    expect(countsByCode(metric(await exportedMetrics(), names.decisions))).toEqual({ allowed: 1, rate_limited: 1, invalid_request: 1 });
  });

  it('decides the same with an exporter that throws on export', async () => {
    const throwing: SpanExporter = { export: () => { throw new Error('exporter broke'); }, shutdown: () => Promise.resolve() };
    const broken = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(throwing)] });
    const evaluate = createCastEvaluator(castgateTelemetry({ tracerProvider: broken, meterProvider }));
    expect(await scenario(evaluate)).toEqual(expected);
    expect(histogramCount(metric(await exportedMetrics(), names.decisionDuration))).toBe(3);
  });

  it('decides the same with a meter provider and instruments that throw', async () => {
    const throwingMeters = { getMeter: () => { throw new Error('meter broke'); } } as ApiMeterProvider;
    const evaluate = createCastEvaluator(castgateTelemetry({ tracerProvider, meterProvider: throwingMeters }));
    expect(await scenario(evaluate)).toEqual(expected);
    expect(spanExporter.getFinishedSpans()).toHaveLength(3);
    const meter = meterProvider.getMeter('x');
    const brokenInstruments = { getMeter: () => ({ ...meter, createCounter: () => ({ add: () => { throw new Error('add broke'); } }) }) } as unknown as ApiMeterProvider;
    const again = createCastEvaluator(castgateTelemetry({ meterProvider: brokenInstruments, tracerProvider }));
    expect(await scenario(again)).toEqual(expected);
  });

  it('falls back to the fingerprint when the host\'s configLabel throws', async () => {
    const evaluate = evaluatorWithTelemetry({ configLabel: () => { throw new Error('label broke'); } });
    expect(await scenario(evaluate)).toEqual(expected);
    expect(spanExporter.getFinishedSpans().map((span) => span.attributes[attr.configLabel])).toEqual(Array(3).fill(expect.stringMatching(/^sha256:/u)));
  });

  it('never throws from onDecision, even for an event that is not one', () => {
    const { onDecision } = castgateTelemetry({ tracerProvider, meterProvider });
    expect(() => { onDecision(null as unknown as CastDecisionEvent); }).not.toThrow();
    expect(() => { onDecision({ trace: 5 } as unknown as CastDecisionEvent); }).not.toThrow();
  });
});

describe('castgate/otel: set-up', () => {
  it('uses the global providers by default, even when the SDK registers after castgateTelemetry()', async () => {
    const telemetry = castgateTelemetry();
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
    try {
      const evaluate = createCastEvaluator({ onDecision: telemetry.onDecision });
      await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
      expect(onlySpan().name).toBe('castgate.decision');
      expect(countsByCode(metric(await exportedMetrics(), names.decisions))).toEqual({ allowed: 1 });
    } finally {
      trace.disable();
      metrics.disable();
    }
  });

  it('composes with the host\'s own onDecision', async () => {
    const telemetry = castgateTelemetry({ tracerProvider, meterProvider });
    const seen: string[] = [];
    const evaluate = createCastEvaluator({
      onDecision: (event) => {
        telemetry.onDecision(event);
        seen.push(event.decisionId);
      },
    });
    const decision = await evaluate(open, { ip: '203.0.113.9' }, createMemoryStores());
    expect(seen).toEqual([decision.decisionId]);
    expect(onlySpan().attributes[attr.decisionId]).toBe(decision.decisionId);
  });

  it('spreads into the HTTP layer\'s options: the span carries the answer\'s X-Cast-Decision-Id', async () => {
    const handle = createCastHttpHandler({ configs: [open], stores: createMemoryStores(), ...castgateTelemetry({ tracerProvider, meterProvider }) });
    const answer = await handle({ method: 'GET', url: `/cast/${openKey}`, ip: '203.0.113.9', headers: { accept: 'application/json' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-cast-decision-id']).toMatch(/^[0-9a-f-]{36}$/u);
    expect(onlySpan().attributes[attr.decisionId]).toBe(answer.headers['x-cast-decision-id']);
  });

  it('refuses bad options with a TypeError', () => {
    expect(() => castgateTelemetry({ tracerProvider: {} as ApiTracerProvider })).toThrow(TypeError);
    expect(() => castgateTelemetry({ meterProvider: 'global' as unknown as ApiMeterProvider })).toThrow(TypeError);
    expect(() => castgateTelemetry({ configLabel: 'name' as unknown as () => string })).toThrow(TypeError);
    expect(() => castgateTelemetry({ guardDurations: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => castgateTelemetry(null as unknown as CastTelemetryOptions)).toThrow(TypeError);
  });

  it('reports the package version as the instrumentation scope version', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(scopeVersion).toBe(pkg.version);
  });
});
