import type { Guard } from '../contract/guard.js';
import { authenticationGuard } from './authentication.js';
import { captchaGuard } from './captcha.js';
import { expiryGuard } from './expiry.js';
import { parametersGuard } from './parameters.js';
import { provisionGuard } from './provision.js';
import { quotaGuard } from './quota.js';
import { rateLimitGuard } from './rate-limit.js';
import { referrerGuard } from './referrer.js';
import { resumeGuard } from './resume.js';

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
export const defaultGuards: readonly Guard[] = Object.freeze([
  expiryGuard,
  referrerGuard,
  authenticationGuard,
  parametersGuard,
  captchaGuard,
  resumeGuard,
  rateLimitGuard,
  quotaGuard,
  provisionGuard,
]);

export {
  authenticationGuard,
  captchaGuard,
  expiryGuard,
  parametersGuard,
  provisionGuard,
  quotaGuard,
  rateLimitGuard,
  referrerGuard,
  resumeGuard,
};
