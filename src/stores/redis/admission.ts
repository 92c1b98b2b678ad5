import type { AdmissionInput, AdmissionResult, AdmissionStore, QuotaStore, RateLimitStore } from '../../contract/stores.js';
import { invalidQuotaInitial, invalidRateLimitInput } from '../validate.js';
import { unreadable } from './script-calls.js';
import { integerOf } from './reply.js';
import { readAny } from './rate-limit.js';
import { createReservationIds } from './reservation-ids.js';
import { admissionGiveBackScript, admissionTakeScript } from './scripts.js';
import { unitMode, type RedisStoreSettings } from './settings.js';

const exhausted: AdmissionResult = Object.freeze({ ok: false, code: 'quota_exhausted' });

/**
 * The {@link AdmissionStore} of the Redis stores: a rate-limit slot and a quota unit in one script
 * (one round trip), both or neither, and both given back in one more. The slot and the unit share one
 * reservation, kept apart (the window holds the slot, the config's reservation set the unit), so the
 * rate-limit and quota stores can also give them back, or commit the unit, one by one. When the
 * rate-limit key is not the engine's `<name>:<configKey>:<client>` for this config (its window is in
 * another Cluster slot), it takes through the two stores instead, slot first, still both or neither.
 */
export function createRedisAdmissionStore(settings: RedisStoreSettings, rateLimit: RateLimitStore, quota: QuotaStore): AdmissionStore {
  const { keys, calls } = settings;
  const hostClock = settings.clock === 'host';
  const [ttl, mode] = unitMode(settings);
  const nextReservation = createReservationIds();

  function take(input: AdmissionInput): Promise<AdmissionResult> {
    const { rateLimit: slot, quota: unit } = input;
    const invalid = invalidRateLimitInput('castgate/redis', slot) ?? invalidQuotaInitial('castgate/redis', unit.initial);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { configKey } = unit;
    if (keys.configOfWindow(slot.key) !== configKey) return takeApart(input);
    const reservation = nextReservation();
    const window = keys.window(slot.key);
    const counter = keys.counter(configKey);
    const honoured = keys.honoured(configKey);
    const pending = keys.pending(configKey);
    const args = [hostClock ? String(slot.nowMs) : '', String(slot.windowMs), String(slot.limit), reservation, String(unit.initial), ttl, mode];
    const read = (reply: unknown): AdmissionResult | typeof unreadable => {
      const n = integerOf(reply);
      if (n === undefined) return unreadable;
      if (n >= 0) return { ok: true, rateLimit: { reservation }, quota: { reservation, remaining: n } };
      return n === -1 ? exhausted : { ok: false, code: 'rate_limited', retryAfterMs: -1 - n };
    };
    const undo = { script: admissionGiveBackScript, keys: [window, counter, honoured, pending], args: [reservation] };
    return calls.send('admission take', admissionTakeScript, [window, counter, mode === 'p' ? pending : honoured], args, read, undo, input.signal);
  }

  async function takeApart(input: AdmissionInput): Promise<AdmissionResult> {
    const { rateLimit: slot, quota: unit, signal } = input;
    const base = { key: slot.key, limit: slot.limit, windowMs: slot.windowMs, nowMs: slot.nowMs };
    const taken = await rateLimit.take(signal === undefined ? base : { ...base, signal });
    if (!taken.ok) return { ok: false, code: 'rate_limited', retryAfterMs: taken.retryAfterMs };
    let unitTaken: Awaited<ReturnType<QuotaStore['take']>>;
    try {
      unitTaken = await quota.take(signal === undefined ? unit : { ...unit, signal });
    } catch (error) {
      await rateLimit.giveBack({ key: slot.key, reservation: taken.reservation }).catch(() => undefined);
      throw error;
    }
    if (!unitTaken.ok) {
      await rateLimit.giveBack({ key: slot.key, reservation: taken.reservation }).catch(() => undefined);
      return exhausted;
    }
    return { ok: true, rateLimit: { reservation: taken.reservation }, quota: { reservation: unitTaken.reservation, remaining: unitTaken.remaining } };
  }

  function giveBack(input: {
    rateLimit: { key: string; reservation: string };
    quota: { configKey: string; reservation: string };
    signal?: AbortSignal;
  }): Promise<void> {
    const { rateLimit: slot, quota: unit } = input;
    const { configKey } = unit;
    if (keys.configOfWindow(slot.key) !== configKey || slot.reservation !== unit.reservation) {
      return Promise.all([rateLimit.giveBack(slot), quota.giveBack(unit)]).then(() => undefined);
    }
    const redisKeys = [keys.window(slot.key), keys.counter(configKey), keys.honoured(configKey), keys.pending(configKey)];
    return calls.send('admission give-back', admissionGiveBackScript, redisKeys, [unit.reservation], readAny, undefined, input.signal);
  }

  return { take, giveBack };
}
