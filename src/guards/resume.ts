import { buildLaunchPlan } from '../engine/build-launch-plan.js';
import { FindRunningCall } from '../engine/store-calls.js';
import { finish, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';

/**
 * With `allowResume` (the default) and a signed-in user who already has a running session for this
 * config, finishes the decision as `resumed`: no quota or rate-limit slot is taken. With a dynamic
 * `kasm_url`, the plan's `openInNewTab` says to open it in a new tab of the resumed session.
 *
 * @example
 * ```ts
 * import { createMemoryStores, evaluateCast, parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Desk', key: 'desk-0123456789abcdef', imageId: 'desktop' });
 * const stores = createMemoryStores();
 * const first = await evaluateCast(config, { ip: '192.0.2.1', user: { id: 'u-1' } }, stores);  // created
 * const again = await evaluateCast(config, { ip: '192.0.2.1', user: { id: 'u-1' } }, stores);  // resumed
 * ```
 */
export const resumeGuard: Guard = {
  name: 'resume',
  check(ctx) {
    const { config, request } = ctx;
    const { user } = request;
    // Synchronous when there is nothing to look up: an anonymous request costs no promise here.
    if (!config.allowResume || user === null) return skip();
    return resumeRunning(ctx, user.id);
  },
};

async function resumeRunning(ctx: GuardContext, userId: string): Promise<GuardVerdict> {
  const { config, request, stores, launch } = ctx;
  const running = await stores.sessions.findRunning(new FindRunningCall(ctx, config.key, userId));
  if (running === null) return pass();
  const dynamicUrl = config.dynamicKasmUrl ? launch.env?.KASM_URL : undefined;
  return finish('resumed', { id: running.id, userId: running.userId }, buildLaunchPlan(config, request, launch, dynamicUrl));
}
