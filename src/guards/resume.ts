import { buildLaunchPlan } from '../engine/build-launch-plan.js';
import { checkRunning } from '../engine/store-answers.js';
import { FindRunningCall } from '../engine/store-calls.js';
import { deny, finish, pass, skip, type Guard, type GuardContext, type GuardVerdict } from '../contract/guard.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import { immediateOf } from '../stores/memory/immediate.js';
import { skipsConfigsWhen } from '../engine/config-skips.js';

/**
 * With `allowResume` (the default) and a signed-in user who already has a running session for this
 * config, finishes the decision as `resumed`: no quota or rate-limit slot is taken. The plan never
 * claims what the running session does not have (SPEC §A): it carries the running session's
 * `dockerNetwork` (from `findRunning`), never the request's; a `docker_network` parameter that
 * differs from a known running network is `invalid_parameter`, and with an unknown one the network
 * is left out (a note on the trace says so). The effective `kasm_url` (the dynamic parameter, else
 * the config's) is `openInNewTab`. A `findRunning` answer without a non-empty string `id`, or for
 * another user, is never resumed: `store_unavailable`.
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
export const resumeGuard: Guard = /* @__PURE__ */ skipsConfigsWhen(
  {
    name: 'resume',
    check(ctx) {
      const { config, request } = ctx;
      const { user } = request;
      // Synchronous when there is nothing to look up: an anonymous request costs no promise here.
      if (!config.allowResume || user === null) return skip();
      return resumeRunning(ctx, user.id);
    },
  },
  (config) => !config.allowResume,
);

function resumeRunning(ctx: GuardContext, userId: string): GuardVerdict | Promise<GuardVerdict> {
  const { sessions } = ctx.stores;
  const call = new FindRunningCall(ctx, ctx.config.key, userId);
  // A memory provisioner answers at once: no promise to wait for (see stores/memory/immediate.ts).
  const findNow = immediateOf(sessions, 'findRunning');
  if (findNow !== undefined) return resumeVerdict(ctx, userId, findNow(call));
  return Promise.resolve(sessions.findRunning(call)).then((answer) => resumeVerdict(ctx, userId, answer));
}

/** The verdict on a `findRunning` answer: `resumed` with the running session's plan, or a pass. */
function resumeVerdict(ctx: GuardContext, userId: string, answer: unknown): GuardVerdict {
  const { config, request, launch } = ctx;
  const running = checkRunning(answer, userId);
  if (running === null) return pass();
  const requested = launch.dockerNetwork;
  if (running.dockerNetwork !== undefined && requested !== undefined && requested !== running.dockerNetwork) {
    return deny('invalid_parameter', { parameter: 'docker_network', note: 'the running session is on another Docker network' });
  }
  // The request's network is only what the visitor asked for: the plan says what is running.
  const facts: { -readonly [K in keyof LaunchPlan]?: LaunchPlan[K] } = { ...launch };
  delete facts.dockerNetwork;
  if (running.dockerNetwork !== undefined) facts.dockerNetwork = running.dockerNetwork;
  const openInNewTab = (config.dynamicKasmUrl ? launch.env?.KASM_URL : undefined) ?? config.kasmUrl;
  const plan = buildLaunchPlan(config, request, facts, openInNewTab);
  const session = { id: running.id, userId: running.userId };
  if (running.dockerNetwork === undefined && requested !== undefined) {
    const note = 'the running session’s Docker network is unknown: docker_network left out of the plan';
    return { verdict: 'finish', outcome: 'resumed', session, launch: plan, note };
  }
  return finish('resumed', session, plan);
}
