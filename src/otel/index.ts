// castgate/otel: OpenTelemetry spans and metrics for every cast decision, through
// `@opentelemetry/api` (an optional peer dependency; only this entry point imports it).

export { castgateTelemetry } from './telemetry.js';
export type { CastTelemetry, CastTelemetryOptions } from './telemetry.js';
export { castgateTelemetryNames } from './names.js';
