import { randomUUID } from 'node:crypto';
import type { LaunchPlan } from '../../contract/launch-plan.js';
import type { SessionProvisioner } from '../../contract/stores.js';

/**
 * A session the in-memory provisioner created: its ids, the config it was cast from, and its plan.
 *
 * @example
 * ```ts
 * import type { MemorySession } from 'castgate';
 * const describe = (s: MemorySession) => `${s.id} for ${s.userId} on ${s.configKey}`;
 * ```
 */
export interface MemorySession {
  readonly id: string;
  readonly userId: string;
  readonly configKey: string;
  readonly plan: LaunchPlan;
}

/**
 * The in-memory {@link SessionProvisioner}, with `list()` (the running sessions, oldest first) and
 * `end(id)` (ends one; answers whether it was running) for demos and tests.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from 'castgate';
 * const { sessions } = createMemoryStores();
 * for (const session of sessions.list()) sessions.end(session.id);
 * ```
 */
export interface MemorySessionProvisioner extends SessionProvisioner {
  list(): readonly MemorySession[];
  end(id: string): boolean;
}

/**
 * Options of {@link createMemoryProvisioner}.
 *
 * @example
 * ```ts
 * import type { MemoryProvisionerOptions } from 'castgate';
 * const options: MemoryProvisionerOptions = { maxSessions: 1_000 };
 * ```
 */
export interface MemoryProvisionerOptions {
  /**
   * The most sessions remembered at once. Past it the oldest anonymous session is forgotten first
   * (anonymous sessions are never resumed), then the oldest signed-in one, so memory stays bounded
   * however many sessions a link serves.
   * @defaultValue 10_000
   */
  readonly maxSessions?: number;
}

const defaultMaxSessions = 10_000;

/** The index key of a user's sessions on one config (length-prefixed, so no two pairs collide). */
function ownerKey(configKey: string, userId: string): string {
  return `${configKey.length}:${configKey}:${userId}`;
}

/**
 * Creates a {@link SessionProvisioner} that starts nothing: a stand-in for a real desktop backend,
 * for demos, `castgate explain` and tests. It remembers the sessions it "created" (at most
 * `maxSessions`: the oldest anonymous ones are forgotten first, then the oldest signed-in ones), so
 * `findRunning` finds a signed-in user's session on a config until `end(id)`; anonymous sessions
 * are never found (they are never resumed). An anonymous plan gets a fresh user id (`anon-<uuid>`)
 * on every call; a signed-in plan uses `plan.user.id`. Rejects with a `TypeError` when a signed-in
 * plan has no user id; throws a `TypeError` for invalid options. It answers at once, so it has no
 * call to cancel and does not read `signal`.
 *
 * @example
 * ```ts
 * import { createMemoryProvisioner } from 'castgate';
 * const sessions = createMemoryProvisioner({ maxSessions: 1_000 });
 * const running = await sessions.findRunning({ configKey: 'excel', userId: 'u-42' }); // null
 * ```
 */
export function createMemoryProvisioner(options: MemoryProvisionerOptions = {}): MemorySessionProvisioner {
  const maxSessions = options.maxSessions ?? defaultMaxSessions;
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) throw new TypeError('castgate: `maxSessions` must be a positive integer');

  /** Every session remembered, oldest first (a Map keeps insertion order). */
  const sessions = new Map<string, MemorySession>();
  /** The ids of anonymous and of signed-in sessions, each oldest first: the order they are forgotten in. */
  const anonymousIds = new Set<string>();
  const signedInIds = new Set<string>();
  /** Running signed-in session ids per (config, user), oldest first. */
  const byOwner = new Map<string, string[]>();
  // The hands that find the oldest id of each set are kept between calls: a fresh iterator would walk
  // past every entry deleted before it, which V8 keeps as holes until it rehashes.
  let anonymousHand = anonymousIds.values();
  let signedInHand = signedInIds.values();

  function findRunning(input: { configKey: string; userId: string }): Promise<{ id: string; userId: string } | null> {
    const ids = byOwner.get(ownerKey(input.configKey, input.userId));
    const id = ids?.[ids.length - 1];
    const session = id === undefined ? undefined : sessions.get(id);
    return Promise.resolve(session === undefined ? null : { id: session.id, userId: session.userId });
  }

  function forget(session: MemorySession): void {
    sessions.delete(session.id);
    if (session.plan.user.anonymous) {
      anonymousIds.delete(session.id);
      return;
    }
    signedInIds.delete(session.id);
    const owner = ownerKey(session.configKey, session.userId);
    const ids = byOwner.get(owner) ?? [];
    const remaining = ids.filter((other) => other !== session.id);
    if (remaining.length === 0) byOwner.delete(owner);
    else byOwner.set(owner, remaining);
  }

  /** Forgets the oldest anonymous session, else the oldest signed-in one. */
  function forgetOldest(): void {
    let oldest: string | undefined;
    if (anonymousIds.size > 0) {
      let next = anonymousHand.next();
      if (next.done === true) {
        anonymousHand = anonymousIds.values();
        next = anonymousHand.next();
      }
      oldest = next.done === true ? undefined : next.value;
    } else {
      let next = signedInHand.next();
      if (next.done === true) {
        signedInHand = signedInIds.values();
        next = signedInHand.next();
      }
      oldest = next.done === true ? undefined : next.value;
    }
    const session = oldest === undefined ? undefined : sessions.get(oldest);
    if (session !== undefined) forget(session);
  }

  // It answers at once, so there is never a call to cancel: `signal` is not read (reading the engine's
  // lazily made signal would create an AbortController for every decision).
  function provision(input: { configKey: string; plan: LaunchPlan }): Promise<{ id: string; userId: string }> {
    const { configKey, plan } = input;
    const userId = plan.user.anonymous ? `anon-${randomUUID()}` : plan.user.id;
    if (userId === undefined) return Promise.reject(new TypeError('castgate: a signed-in launch plan needs `user.id`'));
    const session: MemorySession = { id: `session-${randomUUID()}`, userId, configKey, plan };
    if (sessions.size >= maxSessions) forgetOldest();
    sessions.set(session.id, session);
    if (plan.user.anonymous) {
      anonymousIds.add(session.id);
    } else {
      signedInIds.add(session.id);
      const owner = ownerKey(configKey, userId);
      const ids = byOwner.get(owner);
      if (ids === undefined) byOwner.set(owner, [session.id]);
      else ids.push(session.id);
    }
    return Promise.resolve({ id: session.id, userId });
  }

  function end(id: string): boolean {
    const session = sessions.get(id);
    if (session === undefined) return false;
    forget(session);
    return true;
  }

  return { findRunning, provision, end, list: () => [...sessions.values()] };
}
