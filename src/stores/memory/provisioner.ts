import type { LaunchPlan } from '../../contract/launch-plan.js';
import type { SessionProvisioner } from '../../contract/stores.js';
import { withImmediate } from './immediate.js';
import { randomIdSource } from './random-ids.js';

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

/** A remembered session, and whether it still is (a forgotten one may wait in a queue until its turn). */
interface Held {
  readonly session: MemorySession;
  readonly anonymous: boolean;
  live: boolean;
}

/**
 * Sessions, oldest first, as an array with a moving head: a queue that costs no hash-table work (a
 * Set of ten thousand ids churned by every decision made most of the provisioner's cost). A session
 * forgotten out of turn (`end`) is marked, and stays until the head reaches it or the queue is trimmed.
 */
class HeldQueue {
  #items: (Held | undefined)[] = [];
  #head = 0;

  push(held: Held): void {
    this.#items.push(held);
  }

  /** Takes the oldest session still remembered, dropping the forgotten ones before it; `undefined` when none is left. */
  shift(): Held | undefined {
    const items = this.#items;
    while (this.#head < items.length) {
      const held = items[this.#head];
      items[this.#head++] = undefined;
      if (held?.live === true) {
        this.#compact();
        return held;
      }
    }
    this.#items = [];
    this.#head = 0;
    return undefined;
  }

  /** Drops the forgotten sessions once they outnumber the `count` remembered ones, so ended sessions never pile up. */
  trim(count: number): void {
    if (this.#items.length - this.#head <= 2 * count + 64) return;
    this.#items = this.#items.slice(this.#head).filter((held) => held?.live === true);
    this.#head = 0;
  }

  /** Drops the taken head of the array once it is most of it. */
  #compact(): void {
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

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
  const sessions = new Map<string, Held>();
  /** Anonymous and signed-in sessions, each oldest first: the order they are forgotten in. */
  const anonymousQueue = new HeldQueue();
  const signedInQueue = new HeldQueue();
  let anonymousCount = 0;
  /** Running signed-in session ids per (config, user), oldest first. */
  const byOwner = new Map<string, string[]>();
  const nextSessionId = randomIdSource('session-');
  const nextAnonymousId = randomIdSource('anon-');

  function findRunning(input: { configKey: string; userId: string }): { id: string; userId: string } | null {
    const ids = byOwner.get(ownerKey(input.configKey, input.userId));
    const id = ids?.[ids.length - 1];
    const held = id === undefined ? undefined : sessions.get(id);
    return held === undefined ? null : { id: held.session.id, userId: held.session.userId };
  }

  function forget(held: Held): void {
    const { session } = held;
    held.live = false;
    sessions.delete(session.id);
    if (held.anonymous) {
      anonymousCount--;
      anonymousQueue.trim(anonymousCount);
      return;
    }
    signedInQueue.trim(sessions.size - anonymousCount);
    const owner = ownerKey(session.configKey, session.userId);
    const ids = byOwner.get(owner) ?? [];
    const remaining = ids.filter((other) => other !== session.id);
    if (remaining.length === 0) byOwner.delete(owner);
    else byOwner.set(owner, remaining);
  }

  /** Forgets the oldest anonymous session, else the oldest signed-in one. */
  function forgetOldest(): void {
    const oldest = anonymousCount > 0 ? anonymousQueue.shift() : signedInQueue.shift();
    if (oldest !== undefined) forget(oldest);
  }

  // It answers at once, so there is never a call to cancel: `signal` is not read (reading the engine's
  // lazily made signal would create an AbortController for every decision).
  function provision(input: { configKey: string; plan: LaunchPlan }): { id: string; userId: string } {
    const { configKey, plan } = input;
    const anonymous = plan.user.anonymous;
    const userId = anonymous ? nextAnonymousId() : plan.user.id;
    if (userId === undefined) throw new TypeError('castgate: a signed-in launch plan needs `user.id`');
    const session: MemorySession = { id: nextSessionId(), userId, configKey, plan };
    if (sessions.size >= maxSessions) forgetOldest();
    const held: Held = { session, anonymous, live: true };
    sessions.set(session.id, held);
    if (anonymous) {
      anonymousQueue.push(held);
      anonymousCount++;
    } else {
      signedInQueue.push(held);
      const owner = ownerKey(configKey, userId);
      const ids = byOwner.get(owner);
      if (ids === undefined) byOwner.set(owner, [session.id]);
      else ids.push(session.id);
    }
    return { id: session.id, userId };
  }

  function end(id: string): boolean {
    const held = sessions.get(id);
    if (held === undefined) return false;
    forget(held);
    return true;
  }

  function list(): MemorySession[] {
    const all: MemorySession[] = [];
    for (const held of sessions.values()) all.push(held.session);
    return all;
  }

  // Both answer at once; the engine calls the synchronous twins (see immediate.ts).
  return { findRunning: withImmediate(findRunning), provision: withImmediate(provision), end, list };
}
