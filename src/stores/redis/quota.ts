import type { QuotaStore } from '../../contract/stores.js';
import { runCommand, type ScriptRunner } from './client.js';
import { RedisStoreError } from './errors.js';
import type { KeyNames } from './keys.js';
import { createReservationIds } from './reservation-ids.js';
import { quotaGiveBackScript, quotaRemainingScript, quotaSetRemainingScript, quotaTakeScript } from './scripts.js';
import { isCount } from './validate.js';

/** What the quota store needs besides the client. */
export interface RedisQuotaSettings {
  readonly keys: KeyNames;
  readonly commandTimeoutMs: number;
  readonly reservationTtlMs: number;
}

function unexpected(): RedisStoreError {
  return new RedisStoreError('unexpected_reply', 'castgate/redis: unexpected quota reply');
}

/**
 * A {@link QuotaStore} on Redis: a counter per config key (no TTL: it is the quota) that one script
 * creates at `initial`, checks and decrements atomically, so no number of processes can oversell it.
 * Each unit taken gets a reservation key with a TTL (`reservationTtlMs`); a give-back deletes it and
 * adds the unit back only if it was still there, so it is idempotent, and a give-back later than the
 * TTL is ignored (a unit may be lost, never created). One round trip per call. Rejects with
 * `RedisStoreError` (code `store_unavailable`) when Redis does not answer in time, and with a
 * `TypeError` for a count that is not a non-negative safe integer.
 */
export function createRedisQuotaStore(runner: ScriptRunner, settings: RedisQuotaSettings): QuotaStore {
  const { keys, commandTimeoutMs } = settings;
  const ttl = String(settings.reservationTtlMs);
  const nextReservation = createReservationIds();

  function take(input: { configKey: string; initial: number; signal?: AbortSignal }): Promise<
    { ok: true; reservation: string; remaining: number } | { ok: false }
  > {
    if (!isCount(input.initial)) return Promise.reject(new TypeError('castgate/redis: quota `initial` must be a non-negative safe integer'));
    const { configKey } = input;
    const reservation = nextReservation();
    const redisKeys = [keys.quotaCounter(configKey), keys.quotaReservation(configKey, reservation)];
    return runCommand('quota take', commandTimeoutMs, input.signal, () => runner.run(quotaTakeScript, redisKeys, [String(input.initial), ttl])).then(
      (reply) => {
        if (!Array.isArray(reply)) throw unexpected();
        if (reply[0] === 0) return { ok: false } as const;
        const remaining: unknown = reply[1];
        if (reply[0] === 1 && typeof remaining === 'number') return { ok: true, reservation, remaining } as const;
        throw unexpected();
      },
    );
  }

  function giveBack(input: { configKey: string; reservation: string; signal?: AbortSignal }): Promise<void> {
    const redisKeys = [keys.quotaCounter(input.configKey), keys.quotaReservation(input.configKey, input.reservation)];
    return runCommand('quota give-back', commandTimeoutMs, input.signal, () => runner.run(quotaGiveBackScript, redisKeys, [])).then(() => undefined);
  }

  function remaining(configKey: string): Promise<number | undefined> {
    return runCommand('quota remaining', commandTimeoutMs, undefined, () => runner.run(quotaRemainingScript, [keys.quotaCounter(configKey)], [])).then(
      (reply) => {
        if (reply === null || reply === undefined) return undefined;
        const value = typeof reply === 'string' ? Number(reply) : Number.NaN;
        if (!Number.isSafeInteger(value)) throw unexpected();
        return value;
      },
    );
  }

  function setRemaining(configKey: string, n: number): Promise<void> {
    if (!isCount(n)) return Promise.reject(new TypeError('castgate/redis: `setRemaining` needs a non-negative safe integer'));
    return runCommand('quota set remaining', commandTimeoutMs, undefined, () =>
      runner.run(quotaSetRemainingScript, [keys.quotaCounter(configKey)], [String(n)]),
    ).then(() => undefined);
  }

  return { take, giveBack, remaining, setRemaining };
}
