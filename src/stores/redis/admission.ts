import type { AdmissionInput, AdmissionResult, AdmissionStore, QuotaStore, RateLimitStore } from '../../contract/stores.js';
import { invalidQuotaInitial, invalidRateLimitInput } from '../validate.js';
import type { ScriptRunner } from './client.js';
import type { KeyNames } from './keys.js';
import { ScriptCall, unreadable } from './script-calls.js';
import { integerOf } from './reply.js';
import { readAny } from './rate-limit.js';
import { createReservationIds } from './reservation-ids.js';
import { admissionGiveBackLeanScript, admissionGiveBackScript, admissionTakeLeanScript, admissionTakeScript } from './scripts.js';
import { unitMode, type RedisStoreSettings } from './settings.js';

const exhausted: AdmissionResult = Object.freeze({ ok: false, code: 'quota_exhausted' });

/** The one object a lean take's success shares between its slot and its unit (one reservation for both). */
interface Both {
  readonly reservation: string;
  readonly remaining: number;
}

/** Reads the combined take's reply: what is left, -1 (quota exhausted) or `-1 - retryAfterMs`. */
function readTaken(reply: unknown, reservation: string): AdmissionResult | typeof unreadable {
  const n = integerOf(reply);
  if (n === undefined) return unreadable;
  if (n >= 0) {
    const both: Both = { reservation, remaining: n };
    return { ok: true, rateLimit: both, quota: both };
  }
  return n === -1 ? exhausted : { ok: false, code: 'rate_limited', retryAfterMs: -1 - n };
}

/** True for a reservation of the lean take (it starts with its two instants, `<gone>.<honoured>.`). */
function isLean(reservation: string): boolean {
  return reservation.includes('.');
}

/** One lean combined take in flight: keys and arguments in one array, read and given back by its own methods. */
class LeanTake extends ScriptCall<AdmissionResult> {
  constructor(
    keysAndArgs: string[],
    readonly keys: KeyNames,
    readonly configKey: string,
    readonly reservation: string,
  ) {
    super(admissionTakeLeanScript, 2, keysAndArgs);
  }

  get operation(): string {
    return 'admission take';
  }

  read(reply: unknown): AdmissionResult | typeof unreadable {
    return readTaken(reply, this.reservation);
  }

  override took(value: AdmissionResult): boolean {
    return value.ok;
  }

  giveBack(runner: ScriptRunner, known: boolean): void {
    const [window, counter] = this.keysAndArgs as [string, string];
    const { configKey, reservation } = this;
    // `p`: the answer was never read, so only a slot still in its window may prove the take.
    const args = [reservation, String(Date.now()), known ? '' : 'p'];
    try {
      runner.run(admissionGiveBackLeanScript, [window, counter, this.keys.given(configKey, reservation)], args).catch(() => undefined);
    } catch {
      // nothing more can be done: the unit and slot stay taken (under-serving, never over-serving)
    }
  }
}

/** A string of a number that changes rarely (a config's limit, window, initial), spelled again only when it changes. */
class Spelled {
  #value = Number.NaN;
  #text = '';

  of(value: number): string {
    if (value !== this.#value) {
      this.#value = value;
      this.#text = String(value);
    }
    return this.#text;
  }
}

/**
 * The {@link AdmissionStore} of the Redis stores: a rate-limit slot and a quota unit in one script
 * (one round trip), both or neither, and both given back in one more. When the rate-limit key is not
 * the engine's `<name>:<configKey>:<client>` for this config (its window is in another Cluster slot),
 * it takes through the two stores instead, slot first, still both or neither.
 *
 * With the default settings (`clock: 'host'`, no `reservationTtlMs`) the script reads no clock and
 * keeps no record of the unit: the slot is its record. The reservation carries two instants of the
 * host's clock (when the slot may have left its window, and until when a give-back is honoured,
 * `quotaReservationTtlMs`), so a give-back frees the slot and, once, the unit: proven by the freed
 * slot, or, once the slot may be gone, by the take's own answer. Give both back through this store.
 * Otherwise (Redis's clock, crash-safe quota) the unit is recorded in the config's reservation set as
 * the quota store records it, so the rate-limit and quota stores can give back or commit it one by one.
 */
export function createRedisAdmissionStore(settings: RedisStoreSettings, rateLimit: RateLimitStore, quota: QuotaStore): AdmissionStore {
  const { keys, calls } = settings;
  const hostClock = settings.clock === 'host';
  const lean = hostClock && settings.pendingTtl === undefined;
  const honourMs = Number(settings.honourTtl);
  const [ttl, mode] = unitMode(settings);
  const nextReservation = createReservationIds();
  const limits = new Spelled();
  const windows = new Spelled();
  const initials = new Spelled();
  // The instants a lean reservation starts with, spelled once per millisecond and window.
  let stampedAt = Number.NaN;
  let stampedWindow = Number.NaN;
  let stamp = '';
  // The decision's instant and its window's lower bound as text, spelled once per instant and window
  // (a number-to-text conversion of a millisecond time costs more than the rest of the call).
  let spelledNow = Number.NaN;
  let spelledNowWindow = Number.NaN;
  let nowText = '';
  let fromText = '';

  function take(input: AdmissionInput): Promise<AdmissionResult> {
    const { rateLimit: slot, quota: unit } = input;
    const invalid = invalidRateLimitInput('castgate/redis', slot) ?? invalidQuotaInitial('castgate/redis', unit.initial);
    if (invalid !== undefined) return Promise.reject(invalid);
    const { configKey } = unit;
    const window = keys.windowIn(slot.key, configKey);
    if (window === undefined) return takeApart(input);
    if (!lean) return takeTracked(input, window);
    const { nowMs, windowMs } = slot;
    // The host's wall clock, not the decision's instant (which a caller may set): how long the slot
    // can be in its window, and how long a give-back is honoured, are real time.
    const wall = Date.now();
    if (wall !== stampedAt || windowMs !== stampedWindow) {
      stampedAt = wall;
      stampedWindow = windowMs;
      stamp = `${(wall + Math.ceil(windowMs)).toString(36)}.${(wall + honourMs).toString(36)}.`;
    }
    const reservation = stamp + nextReservation();
    if (nowMs !== spelledNow || windowMs !== spelledNowWindow) {
      spelledNow = nowMs;
      spelledNowWindow = windowMs;
      nowText = String(nowMs);
      fromText = `(${nowMs - windowMs}`;
    }
    const keysAndArgs = [window, keys.counter(configKey), nowText, fromText, windows.of(windowMs), limits.of(slot.limit), reservation, initials.of(unit.initial)];
    return calls.run(new LeanTake(keysAndArgs, keys, configKey, reservation), input.signal);
  }

  /** The combined take that records the unit in the config's reservation set (Redis's clock, or crash-safe). */
  function takeTracked(input: AdmissionInput, window: string): Promise<AdmissionResult> {
    const { rateLimit: slot, quota: unit } = input;
    const { configKey } = unit;
    const reservation = nextReservation();
    const counter = keys.counter(configKey);
    const honoured = keys.honoured(configKey);
    const pending = keys.pending(configKey);
    const args = [hostClock ? String(slot.nowMs) : '', String(slot.windowMs), String(slot.limit), reservation, String(unit.initial), ttl, mode];
    const undo = { script: admissionGiveBackScript, keys: [window, counter, honoured, pending], args: [reservation] };
    const read = (reply: unknown) => readTaken(reply, reservation);
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
    const { configKey, reservation } = unit;
    const window = slot.reservation === reservation ? keys.windowIn(slot.key, configKey) : undefined;
    if (window === undefined) {
      return Promise.all([rateLimit.giveBack(slot), quota.giveBack(unit)]).then(() => undefined);
    }
    const counter = keys.counter(configKey);
    if (isLean(reservation)) {
      const keysAndArgs = [window, counter, keys.given(configKey, reservation)];
      return calls.send('admission give-back', admissionGiveBackLeanScript, keysAndArgs, [reservation, String(Date.now()), ''], readAny, undefined, input.signal);
    }
    const redisKeys = [window, counter, keys.honoured(configKey), keys.pending(configKey)];
    return calls.send('admission give-back', admissionGiveBackScript, redisKeys, [reservation], readAny, undefined, input.signal);
  }

  return { take, giveBack };
}
