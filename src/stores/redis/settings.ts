import type { ScriptCalls } from './script-calls.js';
import type { KeyNames } from './keys.js';

/** What every Redis store of one `createRedisStores` call shares. */
export interface RedisStoreSettings {
  readonly keys: KeyNames;
  readonly calls: ScriptCalls;
  /** `'redis'`: windows use Redis's TIME instead of the caller's `nowMs`. */
  readonly clock: 'host' | 'redis';
  /** How long a quota reservation can be given back (`quotaReservationTtlMs`), as a script argument. */
  readonly honourTtl: string;
  /** Crash-safe quota: how long a unit stays pending (`reservationTtlMs`), as a script argument; `undefined` when off. */
  readonly pendingTtl: string | undefined;
}

/** The script arguments that say where a taken unit's reservation goes: `[ttl, mode]`. */
export function unitMode(settings: RedisStoreSettings): readonly [ttl: string, mode: 'p' | 'h'] {
  return settings.pendingTtl === undefined ? [settings.honourTtl, 'h'] : [settings.pendingTtl, 'p'];
}
