import { parseCastConfig } from '../../src/config/parse.js';
import type { CastConfig, CastConfigInput } from '../../src/config/schema.js';
import { createMemoryStores } from '../../src/stores/memory/index.js';
import type { CastStores } from '../../src/contract/stores.js';
import { fakeProvisioner, type FakeProvisioner } from '../fakes/provisioner.js';
import type { GuardContext } from '../../src/contract/guard.js';
import type { LaunchPlan } from '../../src/contract/launch-plan.js';
import { normalizeRequest, type CastRequest } from '../../src/contract/request.js';

export const t0 = new Date('2030-01-01T12:00:00Z');

/** A valid anonymous config with a 16+ character key, plus overrides. */
export function config(overrides: Partial<CastConfigInput> = {}): CastConfig {
  return parseCastConfig({ name: 'Test', key: 'test-key-0123456789', imageId: 'img-chrome', allowAnonymous: true, ...overrides });
}

/** Memory rate-limit and quota stores with a provisioner that can be told to fail. */
export function stores(extra: Partial<CastStores> = {}): CastStores & { sessions: FakeProvisioner } {
  const memory = createMemoryStores();
  return { rateLimit: memory.rateLimit, quota: memory.quota, ...extra, sessions: fakeProvisioner() };
}

/** A guard context for calling one guard alone, as the pipeline would build it. */
export function contextFor(cfg: CastConfig, request: CastRequest, s: CastStores = stores(), launch: Partial<LaunchPlan> = {}): GuardContext {
  const normalized = normalizeRequest({ now: t0, ...request }, () => t0, 64);
  if (normalized === null) throw new Error('test request is invalid');
  return { config: cfg, request: normalized, now: normalized.now, nowMs: normalized.now.getTime(), stores: s, launch, signal: new AbortController().signal };
}
