/**
 * The names castgate's telemetry uses: the instrumentation scope, the span and its guard events,
 * the metrics and every attribute (OpenTelemetry semantic-convention style: dotted,
 * snake_case, under `castgate.`; failures also carry the standard `error.type`). Use them in
 * dashboards, alerts and SDK `View`s instead of retyping the strings.
 *
 * | name | what |
 * | --- | --- |
 * | `castgate.decision` | the span of one decision (kind `INTERNAL`) |
 * | `castgate.guard` | one span event per guard run, at the time it finished |
 * | `castgate.decisions` | counter (`{decision}`) of decisions |
 * | `castgate.decision.duration` | histogram (`s`) of decision durations |
 * | `castgate.guard.duration` | histogram (`s`) of guard durations, by guard and verdict (opt-in: `guardDurations`) |
 *
 * @example
 * ```ts
 * import { castgateTelemetryNames } from 'castgate/otel';
 * const query = `sum by (${castgateTelemetryNames.attributes.decisionCode}) (rate(${castgateTelemetryNames.decisions}[5m]))`;
 * ```
 */
export const castgateTelemetryNames = Object.freeze({
  /** The instrumentation scope (tracer and meter name). */
  scope: 'castgate',
  /** The span of one decision. */
  span: 'castgate.decision',
  /** The span event of one guard run. */
  guardEvent: 'castgate.guard',
  /** Counter of decisions, unit `{decision}`. */
  decisions: 'castgate.decisions',
  /** Histogram of decision durations, unit `s`. */
  decisionDuration: 'castgate.decision.duration',
  /** Histogram of guard durations, unit `s` (with the option `guardDurations`). */
  guardDuration: 'castgate.guard.duration',
  attributes: Object.freeze({
    /** The decision's id (span only): the same as `decision.decisionId` and `X-Cast-Decision-Id`. */
    decisionId: 'castgate.decision.id',
    /** `true` when a session was created or resumed. */
    decisionAllowed: 'castgate.decision.allowed',
    /** `created`, `resumed` or `denied`. */
    decisionOutcome: 'castgate.decision.outcome',
    /** The error code of a denial (absent when allowed). */
    decisionCode: 'castgate.decision.code',
    /** The decision's HTTP status (200 when allowed; span only). */
    decisionStatus: 'castgate.decision.status',
    /** The config's label: a fingerprint of its key by default (keys are bearer secrets), or yours. */
    configLabel: 'castgate.config.label',
    /** The client's network, masked (`203.0.113.0/24`, `2001:db8:1::/48`, `invalid`; span only). */
    clientNetwork: 'castgate.client.network',
    /** Whether the request had no signed-in user. */
    clientAnonymous: 'castgate.client.anonymous',
    /** The guard's name, on guard events and the guard histogram. */
    guardName: 'castgate.guard.name',
    /** `pass`, `skip` or `deny`. */
    guardVerdict: 'castgate.guard.verdict',
    /** The code a guard denied with. */
    guardCode: 'castgate.guard.code',
    /** How long the guard took, in milliseconds (fractional), on guard events. */
    guardDurationMs: 'castgate.guard.duration_ms',
    /** The guard's trace note (a warning, what was given back, what failed), on guard events. */
    guardNote: 'castgate.guard.note',
    /** The semantic-convention `error.type`: the code, on failures only (status 5xx). */
    errorType: 'error.type',
  }),
});

/** The version the tracer and meter report: the package's (a test keeps it equal to package.json). */
export const scopeVersion = '0.1.0';

/**
 * Bucket boundaries (seconds) for both duration histograms: from 100 µs (an in-memory decision)
 * to 10 s (beyond every default timeout), given to the SDK as advice; a `View` overrides them.
 */
export const durationBuckets: readonly number[] = Object.freeze([
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);
