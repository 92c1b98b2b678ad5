import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { GuardTrace } from '../contract/decision.js';
import type { CastDecisionEvent } from '../engine/events.js';
import { createConfigLabeller } from './config-label.js';
import { castgateTelemetryNames as names, durationBuckets, scopeVersion } from './names.js';

const attr = names.attributes;

/**
 * Options of {@link castgateTelemetry}.
 *
 * @example
 * ```ts
 * import type { CastTelemetryOptions } from 'castgate/otel';
 * const labels = new Map([['demo-0123456789abcdef', 'Public demo']]);
 * const options: CastTelemetryOptions = { configLabel: (key) => labels.get(key) };
 * ```
 */
export interface CastTelemetryOptions {
  /**
   * Where spans go. @defaultValue the global provider (`trace.getTracerProvider()`), so spans start
   * flowing once your SDK registers, even when that happens after this call.
   */
  readonly tracerProvider?: TracerProvider;
  /**
   * Where metrics go. @defaultValue the global provider (`metrics.getMeterProvider()`), looked up
   * again when it changes, so an SDK started after this call still gets every metric.
   */
  readonly meterProvider?: MeterProvider;
  /**
   * The `castgate.config.label` of a config key, e.g. the config's name. An empty, non-string or
   * thrown answer falls back to the default. @defaultValue `sha256:` + 16 hex digits of the key's
   * SHA-256: a key is a bearer secret for an anonymous config, so it never goes out as it is.
   */
  readonly configLabel?: (configKey: string) => string | undefined;
  /**
   * Also record every guard run in the `castgate.guard.duration` histogram (by guard and verdict).
   * Off by default: it is one more measurement per guard per decision (about ten), and the span's
   * guard events already carry each guard's duration. @defaultValue false
   */
  readonly guardDurations?: boolean;
}

/**
 * What {@link castgateTelemetry} returns: an `onDecision` hook for `createCastEvaluator`,
 * `evaluateCast`'s options or the HTTP layer's options (spread it, or call it from your own hook).
 *
 * @example
 * ```ts
 * import { createCastEvaluator } from 'castgate';
 * import { castgateTelemetry, type CastTelemetry } from 'castgate/otel';
 * const telemetry: CastTelemetry = castgateTelemetry();
 * const evaluate = createCastEvaluator({ ...telemetry });
 * ```
 */
export interface CastTelemetry {
  /** Records one decision's span and metrics. Never throws, whatever the SDK or exporter does. */
  readonly onDecision: (event: CastDecisionEvent) => void;
}

interface Instruments {
  readonly provider: MeterProvider;
  readonly decisions: Counter;
  readonly decisionDuration: Histogram;
  readonly guardDuration: Histogram;
}

function createInstruments(provider: MeterProvider): Instruments {
  const meter = provider.getMeter(names.scope, scopeVersion);
  const advice = { explicitBucketBoundaries: [...durationBuckets] };
  return {
    provider,
    decisions: meter.createCounter(names.decisions, { unit: '{decision}', description: 'Cast decisions made, by outcome and code.' }),
    decisionDuration: meter.createHistogram(names.decisionDuration, { unit: 's', description: 'How long cast decisions took.', advice }),
    guardDuration: meter.createHistogram(names.guardDuration, { unit: 's', description: 'How long each guard of a cast decision took.', advice }),
  };
}

/** A failure is a decision the service could not make (a store, verifier or provisioner down): 5xx. */
function isFailure(event: CastDecisionEvent): boolean {
  return !event.allowed && event.status >= 500;
}

function nonNegative(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** The attributes both the span and the metrics carry: all of them low-cardinality. */
function decisionAttributes(event: CastDecisionEvent, configLabel: string): Attributes {
  const attributes: Attributes = {
    [attr.configLabel]: configLabel,
    [attr.decisionAllowed]: event.allowed,
    [attr.decisionOutcome]: event.allowed ? (event.outcome ?? 'created') : 'denied',
    [attr.clientAnonymous]: event.anonymous,
  };
  if (event.code !== undefined) attributes[attr.decisionCode] = event.code;
  if (isFailure(event) && event.code !== undefined) attributes[attr.errorType] = event.code;
  return attributes;
}

function guardAttributes(entry: GuardTrace): Attributes {
  const attributes: Attributes = {
    [attr.guardName]: entry.guard,
    [attr.guardVerdict]: entry.verdict,
    [attr.guardDurationMs]: nonNegative(entry.durationMs),
  };
  if (entry.code !== undefined) attributes[attr.guardCode] = entry.code;
  if (entry.note !== undefined) attributes[attr.guardNote] = entry.note;
  return attributes;
}

/** The span's status message on a failure: the code, the guard that failed and what it noted. */
function failureMessage(event: CastDecisionEvent): string {
  const failed = event.trace.findLast((entry) => entry.verdict === 'deny');
  if (failed === undefined) return String(event.code);
  return failed.note === undefined ? `${String(event.code)} at ${failed.guard}` : `${String(event.code)} at ${failed.guard}: ${failed.note}`;
}

/**
 * One span per decision, ended when the event arrives and started `durationMs` before, as a child of
 * the context active where the evaluation was called (your HTTP server span, with a context manager).
 */
function recordSpan(tracer: Tracer, event: CastDecisionEvent, configLabel: string): void {
  const end = performance.now();
  const start = Math.max(0, end - nonNegative(event.durationMs));
  // Built afresh, not spread from the metrics' attributes: V8 spreads objects with these dotted,
  // computed keys some 100 times slower than it builds them.
  const attributes = decisionAttributes(event, configLabel);
  attributes[attr.decisionId] = event.decisionId;
  attributes[attr.decisionStatus] = event.status;
  attributes[attr.clientNetwork] = event.client;
  const span = tracer.startSpan(names.span, { kind: SpanKind.INTERNAL, startTime: start, attributes }, context.active());
  try {
    if (span.isRecording()) {
      // Guards run back to back, so each guard event sits where that guard finished.
      let at = start;
      for (const entry of event.trace) {
        at = Math.min(end, at + nonNegative(entry.durationMs));
        span.addEvent(names.guardEvent, guardAttributes(entry), at);
      }
      if (isFailure(event)) span.setStatus({ code: SpanStatusCode.ERROR, message: failureMessage(event) });
    }
  } finally {
    span.end(end);
  }
}

function recordMetrics(instruments: Instruments, event: CastDecisionEvent, shared: Attributes, guardDurations: boolean): void {
  instruments.decisions.add(1, shared);
  instruments.decisionDuration.record(nonNegative(event.durationMs) / 1000, shared);
  if (!guardDurations) return;
  for (const entry of event.trace) {
    instruments.guardDuration.record(nonNegative(entry.durationMs) / 1000, { [attr.guardName]: entry.guard, [attr.guardVerdict]: entry.verdict });
  }
}

function checkOptions(options: CastTelemetryOptions): void {
  if (typeof options !== 'object' || (options as CastTelemetryOptions | null) === null) throw new TypeError('castgate/otel: options must be an object');
  const { tracerProvider, meterProvider, configLabel } = options;
  if (tracerProvider !== undefined && typeof (tracerProvider as Partial<TracerProvider> | null)?.getTracer !== 'function') {
    throw new TypeError('castgate/otel: tracerProvider must be an OpenTelemetry TracerProvider (with getTracer)');
  }
  if (meterProvider !== undefined && typeof (meterProvider as Partial<MeterProvider> | null)?.getMeter !== 'function') {
    throw new TypeError('castgate/otel: meterProvider must be an OpenTelemetry MeterProvider (with getMeter)');
  }
  if (configLabel !== undefined && typeof configLabel !== 'function') throw new TypeError('castgate/otel: configLabel must be a function');
  if (options.guardDurations !== undefined && typeof options.guardDurations !== 'boolean') throw new TypeError('castgate/otel: guardDurations must be a boolean');
}

/**
 * Traces and measures every cast decision through `@opentelemetry/api` (an optional peer: install
 * it, and an SDK, in your app). Each decision becomes one `castgate.decision` span with a
 * `castgate.guard` event per guard, counts once in `castgate.decisions` and records its duration
 * in `castgate.decision.duration` (seconds). The span's status is `ERROR` only for failures (a
 * 5xx: `store_unavailable`, `captcha_unavailable`, `provision_failed`); a denial such as
 * `rate_limited` is the service working, so it stays unset. Nothing identifying goes out: the
 * client is its masked network, the config a fingerprint of its key (or your `configLabel`), and no
 * address, token, secret or user id. Throws `TypeError` for bad options; its hook never throws.
 *
 * @example
 * ```ts
 * import { createCastEvaluator } from 'castgate';
 * import { castgateTelemetry } from 'castgate/otel';
 * const telemetry = castgateTelemetry();
 * // With your own hook as well: the telemetry hook never throws, so yours always runs.
 * const evaluate = createCastEvaluator({
 *   onDecision: (event) => {
 *     telemetry.onDecision(event);
 *     if (!event.allowed) console.info('cast denied', event.decisionId, event.code);
 *   },
 * });
 * ```
 */
export function castgateTelemetry(options: CastTelemetryOptions = {}): CastTelemetry {
  checkOptions(options);
  const labelOf = createConfigLabeller(options.configLabel);
  const fixedMeterProvider = options.meterProvider;
  const guardDurations = options.guardDurations ?? false;
  const tracerProvider = options.tracerProvider;
  let tracer: Tracer | undefined;
  let instruments: Instruments | undefined;

  const onDecision = (event: CastDecisionEvent): void => {
    let configLabel: string;
    try {
      configLabel = labelOf(event.configKey);
    } catch {
      return;
    }
    try {
      // The global provider is a proxy: its tracer starts delegating once an SDK registers.
      tracer ??= (tracerProvider ?? trace.getTracerProvider()).getTracer(names.scope, scopeVersion);
      recordSpan(tracer, event, configLabel);
    } catch {
      // A broken tracer or exporter loses this span, nothing else.
    }
    try {
      const provider = fixedMeterProvider ?? metrics.getMeterProvider();
      if (instruments?.provider !== provider) instruments = createInstruments(provider);
      recordMetrics(instruments, event, decisionAttributes(event, configLabel), guardDurations);
    } catch {
      // A broken meter loses these measurements, nothing else.
    }
  };
  return Object.freeze({ onDecision });
}
