import { buildLaunchPlan } from '../engine/build-launch-plan.js';
import type { SessionRef } from '../contract/decision.js';
import { finish, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import { immediateOf } from '../stores/memory/immediate.js';
import { unavailableAs } from '../engine/context.js';
import { ProvisionCall } from '../engine/store-calls.js';
import { unitOf } from './admitted-units.js';

/**
 * Always last: builds the launch plan and asks the `SessionProvisioner` to start the session (and,
 * for an anonymous request, to create a new user in All Users plus `anonymousGroupId`). Nothing is
 * created for a denied request. A provisioner that fails or times out gives `provision_failed` (502)
 * and the pipeline gives back the quota unit and the rate-limit slot taken for it. Once the session
 * is provisioned, a quota store with `commit` (crash-safe quota) is told the unit is final; a commit
 * that fails leaves the session served (the unit then comes back after the store's deadline).
 *
 * @example
 * ```ts
 * import { createCastEvaluator, defaultGuards, pass, provisionGuard, type Guard } from 'castgate';
 * const audit: Guard = { name: 'audit', check: () => pass() };
 * // provisionGuard finishes every allowed evaluation, so a guard list keeps it last
 * const evaluate = createCastEvaluator({ guards: [...defaultGuards.filter((guard) => guard !== provisionGuard), audit, provisionGuard] });
 * ```
 */
export const provisionGuard: Guard = {
  name: 'provision',
  check(ctx) {
    const { config, request, stores, launch } = ctx;
    unavailableAs(ctx, 'provision_failed');
    const plan = buildLaunchPlan(config, request, launch);
    const { sessions } = stores;
    const call = new ProvisionCall(ctx, config.key, plan);
    // A memory provisioner answers at once: no promise to wait for (see stores/memory/immediate.ts).
    const provisionNow = immediateOf(sessions, 'provision');
    // Its answer is a fresh `{ id, userId }` by construction: finished on as it is.
    if (provisionNow !== undefined) return finished(ctx, plan, provisionNow(call));
    return Promise.resolve(sessions.provision(call)).then((session) => provisioned(ctx, plan, session));
  },
};

/** Checks the provisioner's answer (a session ref), then finishes. */
function provisioned(ctx: GuardContext, plan: LaunchPlan, session: unknown): GuardVerdict | Promise<GuardVerdict> {
  const candidate = session as Partial<SessionRef> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.id !== 'string' || typeof candidate.userId !== 'string') {
    throw new TypeError('castgate: SessionProvisioner.provision must resolve to { id, userId }');
  }
  return finished(ctx, plan, { id: candidate.id, userId: candidate.userId });
}

/** Finishes with a checked session; first commits the quota unit to a store with `commit`. */
function finished(ctx: GuardContext, plan: LaunchPlan, session: SessionRef): GuardVerdict | Promise<GuardVerdict> {
  const done = finish('created', session, plan);
  const unit = unitOf(ctx);
  const { quota } = ctx.stores;
  if (unit?.state === 'taken' && quota.commit !== undefined) {
    return Promise.resolve(quota.commit({ configKey: unit.configKey, reservation: unit.reservation })).then(
      () => done,
      () => done,
    );
  }
  return done;
}
