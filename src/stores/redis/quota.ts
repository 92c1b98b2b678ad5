import type { QuotaStore } from '../../contract/stores.js';
import { invalidQuotaInitial, invalidRemaining } from '../validate.js';
import { unreadable } from './script-calls.js';
import { integerOf } from './reply.js';
import { readAny } from './rate-limit.js';
import { createReservationIds } from './reservation-ids.js';
import { quotaCommitScript, quotaGiveBackScript, quotaRemainingScript, quotaSetRemainingScript, quotaTakeScript } from './scripts.js';
import { unitMode, type RedisStoreSettings } from './settings.js';

type TakeResult = { ok: true; reservation: string; remaining: number } | { ok: false };

const exhausted: TakeResult = Object.freeze({ ok: false });

/**
 * A {@link QuotaStore} on Redis: a counter per config key (no TTL: it is the quota) that one script
 * creates at `initial`, checks and decrements atomically, so no number of processes can oversell it.
 * Each unit taken is remembered by its reservation in a sorted set of the config (same slot): for
 * `quotaReservationTtlMs`, so a give-back adds it back once and a later one is ignored; or, crash-safe
 * (`reservationTtlMs`), as pending until `commit`, coming back by itself when its time is up (on
 * Redis's clock). A counter is created only under a `maxmemory-policy` that cannot evict it.
 * Rejects with `RedisStoreError` (code `store_unavailable`) when Redis does not answer in time, and
 * with a `TypeError` for a count that is not a non-negative safe integer.
 */
export function createRedisQuotaStore(settings: RedisStoreSettings): QuotaStore {
  const { keys, calls } = settings;
  const [ttl, mode] = unitMode(settings);
  const nextReservation = createReservationIds();

  function take(input: { configKey: string; initial: number; signal?: AbortSignal }): Promise<TakeResult> {
    const { configKey } = input;
    const invalid = invalidQuotaInitial('castgate/redis', input.initial);
    if (invalid !== undefined) return Promise.reject(invalid);
    const reservation = nextReservation();
    const counter = keys.counter(configKey);
    const read = (reply: unknown): TakeResult | typeof unreadable => {
      const n = integerOf(reply);
      if (n === -1) return exhausted;
      return n === undefined || n < 0 ? unreadable : { ok: true, reservation, remaining: n };
    };
    const undo = { script: quotaGiveBackScript, keys: [counter, keys.honoured(configKey), keys.pending(configKey)], args: [reservation] };
    const tokens = mode === 'p' ? keys.pending(configKey) : keys.honoured(configKey);
    return calls.send('quota take', quotaTakeScript, [counter, tokens], [String(input.initial), ttl, mode, reservation], read, undo, input.signal);
  }

  function giveBack(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    const { configKey } = input;
    const redisKeys = [keys.counter(configKey), keys.honoured(configKey), keys.pending(configKey)];
    return calls.send('quota give-back', quotaGiveBackScript, redisKeys, [input.reservation], readAny, undefined, input.signal);
  }

  function commit(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    const { configKey } = input;
    const redisKeys = [keys.counter(configKey), keys.pending(configKey)];
    return calls.send('quota commit', quotaCommitScript, redisKeys, [input.reservation], readAny, undefined, input.signal);
  }

  function remaining(configKey: string): Promise<number | undefined> {
    return calls.send('quota remaining', quotaRemainingScript, [keys.counter(configKey), keys.pending(configKey)], [], readRemaining);
  }

  function setRemaining(configKey: string, n: number): Promise<void> {
    const invalid = invalidRemaining('castgate/redis', n);
    if (invalid !== undefined) return Promise.reject(invalid);
    return calls.send('quota set remaining', quotaSetRemainingScript, [keys.counter(configKey)], [String(n)], readAny);
  }

  // Without `reservationTtlMs` a take is final: no commit is sent (SPEC §13).
  return mode === 'p' ? { take, giveBack, remaining, setRemaining, commit } : { take, giveBack, remaining, setRemaining };
}

function readRemaining(reply: unknown): number | undefined | typeof unreadable {
  if (reply === null || reply === undefined) return undefined;
  const n = integerOf(reply);
  return n === undefined || n < 0 ? unreadable : n;
}
