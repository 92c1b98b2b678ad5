import type { GuardContext } from '../contract/guard.js';
import { EvaluationContext } from '../engine/context.js';

/**
 * What one evaluation knows about its quota unit, shared by the rate-limit, quota and provision
 * guards: `taken` when a store call took it (by `AdmissionStore.take` in the rate-limit guard, or by
 * the quota guard), `exhausted` when the combined take found the quota at zero. Keyed by the
 * evaluation's context, so it lives exactly as long as the evaluation.
 */
export type AdmittedUnit =
  | { readonly state: 'taken'; readonly configKey: string; readonly reservation: string }
  | { readonly state: 'exhausted' };

const units = new WeakMap<GuardContext, AdmittedUnit>();

/** Records the quota unit of `ctx`'s evaluation. */
export function recordUnit(ctx: GuardContext, unit: AdmittedUnit): void {
  if (ctx instanceof EvaluationContext) EvaluationContext.setUnit(ctx, unit);
  else units.set(ctx, unit);
}

/** The quota unit recorded for `ctx`'s evaluation, if any. */
export function unitOf(ctx: GuardContext): AdmittedUnit | undefined {
  return ctx instanceof EvaluationContext ? (EvaluationContext.unitOf(ctx) as AdmittedUnit | undefined) : units.get(ctx);
}
