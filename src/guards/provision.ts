import { buildLaunchPlan } from '../engine/build-launch-plan.js';
import { finish, type Guard } from '../contract/guard.js';
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
  async check(ctx) {
    const { config, request, stores, launch } = ctx;
    unavailableAs(ctx, 'provision_failed');
    const plan = buildLaunchPlan(config, request, launch);
    const session = await stores.sessions.provision(new ProvisionCall(ctx, config.key, plan));
    if (typeof session !== 'object' || typeof session.id !== 'string' || typeof session.userId !== 'string') {
      throw new TypeError('castgate: SessionProvisioner.provision must resolve to { id, userId }');
    }
    const unit = unitOf(ctx);
    const { quota } = stores;
    if (unit?.state === 'taken' && quota.commit !== undefined) {
      await quota.commit({ configKey: unit.configKey, reservation: unit.reservation }).catch(() => undefined);
    }
    return finish('created', { id: session.id, userId: session.userId }, plan);
  },
};
