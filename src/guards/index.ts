import { builtInGuardNames, type BuiltInGuardName, type Guard } from '../contract/guard.js';
import { authenticationGuard } from './authentication.js';
import { captchaGuard } from './captcha.js';
import { expiryGuard } from './expiry.js';
import { liveSessionsGuard } from './live-sessions.js';
import { parametersGuard } from './parameters.js';
import { provisionGuard } from './provision.js';
import { quotaGuard } from './quota.js';
import { rateLimitGuard } from './rate-limit.js';
import { referrerGuard } from './referrer.js';
import { resumeGuard } from './resume.js';
import { signedLinkGuard } from './signed-link.js';

// Each built-in guard under its name; the order is `builtInGuardNames`'.
const builtInGuards: { readonly [N in BuiltInGuardName]: Guard } = {
  expiry: expiryGuard,
  referrer: referrerGuard,
  signedLink: signedLinkGuard,
  authentication: authenticationGuard,
  parameters: parametersGuard,
  captcha: captchaGuard,
  resume: resumeGuard,
  rateLimit: rateLimitGuard,
  quota: quotaGuard,
  liveSessions: liveSessionsGuard,
  provision: provisionGuard,
};

/**
 * The guards of SPEC §3 in their default order: cheap and stateless first, then the ones that take
 * something, provisioning last. Frozen: build a new array to insert, remove or reorder.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, defaultGuards, type Guard } from 'castgate';
 * const audit: Guard = { name: 'audit', check: (ctx) => { console.log(ctx.request.ip); return { verdict: 'skip' }; } };
 * const evaluate = createCastEvaluator({ guards: [audit, ...defaultGuards] });
 * ```
 */
export const defaultGuards: readonly Guard[] = /* @__PURE__ */ Object.freeze(builtInGuardNames.map((name) => builtInGuards[name]));

export {
  authenticationGuard,
  captchaGuard,
  expiryGuard,
  liveSessionsGuard,
  parametersGuard,
  provisionGuard,
  quotaGuard,
  rateLimitGuard,
  referrerGuard,
  resumeGuard,
  signedLinkGuard,
};
