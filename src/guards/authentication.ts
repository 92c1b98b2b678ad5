import { deny, pass, type Guard } from '../contract/guard.js';
import { passesConfigsWhen } from '../engine/config-skips.js';

/**
 * Denies a request without a signed-in user with `auth_required` (401) unless the config has
 * `allowAnonymous`. A signed-in user keeps their identity even when anonymous access is allowed.
 *
 * @example
 * ```ts
 * import { evaluateCast, createMemoryStores, parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Staff', key: 'staff-0123456789abcdef', imageId: 'desktop' });
 * const decision = await evaluateCast(config, { ip: '192.0.2.1', user: { id: 'u-1' } }, createMemoryStores());
 * ```
 */
export const authenticationGuard: Guard = /* @__PURE__ */ passesConfigsWhen(
  {
    name: 'authentication',
    check: ({ config, request }) => (request.user !== null || config.allowAnonymous ? pass() : deny('auth_required')),
  },
  (config) => config.allowAnonymous,
);
