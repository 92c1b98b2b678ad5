/**
 * The names of `T`'s methods a double records and can fail (its async store methods).
 *
 * @example
 * ```ts
 * import type { RateLimitStore } from 'castgate';
 * import type { MethodName } from 'castgate/testing';
 * const method: MethodName<RateLimitStore> = 'take';
 * ```
 */
export type MethodName<T> = keyof T & string;

/**
 * The first argument of a method (every store method takes one input object, or a key).
 *
 * @example
 * ```ts
 * import type { RateLimitStore } from 'castgate';
 * import type { MethodInput } from 'castgate/testing';
 * type TakeInput = MethodInput<RateLimitStore['take']>; // RateLimitInput
 * ```
 */
export type MethodInput<F> = NonNullable<F> extends (input: infer I, ...rest: never[]) => unknown ? I : never;

/**
 * What a double did instead of calling through: fail, never answer, or answer late.
 *
 * @example
 * ```ts
 * import { createRateLimitStoreDouble } from 'castgate/testing';
 * const rateLimit = createRateLimitStoreDouble().hang({ method: 'peek', times: 1 });
 * const hung = rateLimit.calls.filter((call) => call.fault === 'hang');
 * ```
 */
export type FaultKind = 'reject' | 'hang' | 'delay';

/**
 * One call a double received: the method, its input (signal included, so a test can see whether
 * the caller gave up) and the fault it met, if any.
 *
 * @example
 * ```ts
 * import { createRateLimitStoreDouble } from 'castgate/testing';
 * const rateLimit = createRateLimitStoreDouble();
 * const first = rateLimit.calls[0]; // e.g. { method: 'peek', input: { key, limit, windowMs, nowMs } }
 * ```
 */
export type RecordedCall<T, M extends MethodName<T>> = {
  [K in M]: { readonly method: K; readonly input: MethodInput<T[K]>; readonly fault?: FaultKind };
}[M];

/**
 * Which calls a fault applies to: one method (every method when absent), and how many calls it
 * lasts (until {@link DoubleControls.heal} when absent).
 *
 * @example
 * ```ts
 * import type { FaultOptions } from 'castgate/testing';
 * const once: FaultOptions<'take'> = { method: 'take', times: 1 };
 * ```
 */
export interface FaultOptions<M extends string> {
  readonly method?: M;
  readonly times?: number;
}

/**
 * What a test double adds to the interface it stands for: the record of calls and fault injection.
 * Faults queue up: a call meets the first one that applies to its method and still has calls left
 * (`times`); with none, the call goes through to the real implementation underneath.
 *
 * @example
 * ```ts
 * import { createQuotaStoreDouble } from 'castgate/testing';
 * const quota = createQuotaStoreDouble();
 * quota.reject(new Error('connection refused'), { method: 'take', times: 1 }); // the next take fails
 * quota.delay(50, { method: 'giveBack' });                                     // give-backs answer late
 * quota.hang({ method: 'remaining' });                                          // remaining() never answers
 * quota.heal();                                                                 // back to normal
 * ```
 */
export interface DoubleControls<T, M extends MethodName<T>> {
  /** Every call received, oldest first (including those that met a fault). */
  readonly calls: readonly RecordedCall<T, M>[];
  /** The inputs of the calls to one method, oldest first. */
  callsTo<K extends M>(method: K): MethodInput<T[K]>[];
  /** Makes calls reject with `error` (an {@link InjectedFaultError} when absent), as a store that is down. */
  reject(error?: Error, options?: FaultOptions<M>): this;
  /** Makes calls never settle, even when their signal aborts (the caller's deadline must handle it). */
  hang(options?: FaultOptions<M>): this;
  /** Makes calls wait `ms` milliseconds (real time) before going through to the implementation. */
  delay(ms: number, options?: FaultOptions<M>): this;
  /** Removes every fault: calls go through again. */
  heal(): this;
  /** Forgets the record of calls. */
  clearCalls(): this;
}

/**
 * A test double: the interface `T` (calls go through to a real implementation) plus
 * {@link DoubleControls}.
 *
 * @example
 * ```ts
 * import type { RateLimitStore } from 'castgate';
 * import type { StoreDouble } from 'castgate/testing';
 * type RateLimitDouble = StoreDouble<RateLimitStore, 'take' | 'peek' | 'giveBack'>;
 * ```
 */
export type StoreDouble<T, M extends MethodName<T>> = T & DoubleControls<T, M>;

/**
 * The error an injected `reject` fault answers with when the test gives none.
 *
 * @example
 * ```ts
 * import { InjectedFaultError } from 'castgate/testing';
 * const error = new InjectedFaultError('take');
 * console.log(error.message); // castgate/testing: injected failure of take
 * ```
 */
export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
  constructor(readonly method: string) {
    super(`castgate/testing: injected failure of ${method}`);
  }
}

type Fault = { kind: 'reject'; error: Error | undefined } | { kind: 'hang' } | { kind: 'delay'; ms: number };
type QueuedFault = Fault & { method: string | undefined; left: number };
type AnyMethod = (...args: unknown[]) => unknown;

function checkedTimes(times: number | undefined): number {
  if (times === undefined) return Number.POSITIVE_INFINITY;
  if (!Number.isInteger(times) || times < 1) throw new TypeError('castgate/testing: `times` is a whole number of calls, at least 1');
  return times;
}

/**
 * Wraps `inner` into a {@link StoreDouble}: the listed async `methods` are recorded and can be made
 * to fail, hang or answer late; everything else (other methods, getters) is `inner`'s own. For a
 * store interface of your own; the `create…Double` functions use it for castgate's.
 *
 * @example
 * ```ts
 * import { createStoreDouble } from 'castgate/testing';
 * const inner = { lookup: async (id: string) => ({ id }) };
 * const directory = createStoreDouble(inner, ['lookup']);
 * directory.reject(new Error('LDAP down'), { times: 1 });
 * ```
 */
export function createStoreDouble<T extends object, M extends MethodName<T>>(inner: T, methods: readonly M[]): StoreDouble<T, M> {
  const calls: { method: string; input: unknown; fault?: FaultKind }[] = [];
  let faults: QueuedFault[] = [];
  const wrapped = new Map<PropertyKey, { real: AnyMethod; method: AnyMethod }>();

  function queue(fault: Fault, options: FaultOptions<M> | undefined): void {
    const method = options?.method;
    if (method !== undefined && !methods.includes(method)) throw new TypeError(`castgate/testing: this double has no method ${method}`);
    faults.push({ ...fault, method, left: checkedTimes(options?.times) });
  }

  function faultFor(method: string): Fault | undefined {
    const found = faults.find((f) => f.left > 0 && (f.method === undefined || f.method === method));
    if (found === undefined) return undefined;
    found.left--;
    faults = faults.filter((f) => f.left > 0);
    return found;
  }

  function wrap(method: string, real: AnyMethod): AnyMethod {
    return (...args: unknown[]) => {
      // Read the signal now, as a store that honours it does: the engine creates it on first read.
      const input = args[0];
      if (typeof input === 'object' && input !== null) Reflect.get(input, 'signal');
      const fault = faultFor(method);
      calls.push(fault === undefined ? { method, input: args[0] } : { method, input: args[0], fault: fault.kind });
      if (fault === undefined) return real.apply(inner, args);
      switch (fault.kind) {
        case 'reject':
          return Promise.reject(fault.error === undefined ? new InjectedFaultError(method) : fault.error);
        case 'hang':
          return new Promise<never>(() => undefined);
        case 'delay':
          return new Promise<unknown>((resolve, reject) => {
            setTimeout(() => {
              Promise.resolve()
                .then(() => real.apply(inner, args))
                .then(resolve, reject);
            }, fault.ms);
          });
      }
    };
  }

  const controls: DoubleControls<T, M> = {
    get calls() {
      return calls.map((call) => ({ ...call })) as unknown as RecordedCall<T, M>[];
    },
    callsTo<K extends M>(method: K): MethodInput<T[K]>[] {
      return calls.filter((call) => call.method === method).map((call) => call.input as MethodInput<T[K]>);
    },
    reject(error?: Error, options?: FaultOptions<M>) {
      queue({ kind: 'reject', error }, options);
      return this;
    },
    hang(options?: FaultOptions<M>) {
      queue({ kind: 'hang' }, options);
      return this;
    },
    delay(ms: number, options?: FaultOptions<M>) {
      if (!Number.isFinite(ms) || ms < 0) throw new TypeError('castgate/testing: delay(ms) takes a finite number of milliseconds, at least 0');
      queue({ kind: 'delay', ms }, options);
      return this;
    },
    heal() {
      faults = [];
      return this;
    },
    clearCalls() {
      calls.length = 0;
      return this;
    },
  };

  const proxy: StoreDouble<T, M> = new Proxy(inner, {
    get(target, property) {
      if (Object.hasOwn(controls, property)) {
        const control: unknown = Reflect.get(controls, property, proxy);
        return typeof control === 'function' ? (control as AnyMethod).bind(proxy) : control;
      }
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || !(methods as readonly PropertyKey[]).includes(property)) return value;
      const real = value as AnyMethod;
      const known = wrapped.get(property);
      if (known?.real === real) return known.method;
      const method = wrap(String(property), real);
      wrapped.set(property, { real, method });
      return method;
    },
  }) as StoreDouble<T, M>;
  return proxy;
}
