// Synchronous twins of the memory stores' methods. A memory store answers at once, yet its public
// methods return promises (the store contracts are asynchronous), and waiting for each of them cost
// a decision more than the stores' own work. So each method of a memory store has a twin that answers
// the same thing without the promise (and throws where the method rejects), registered here by the
// method's identity. The engine's built-in guards call the twin when the method they would call is
// that very function; a method that was replaced or wrapped (a spy, even one that copies the
// original's properties; a host's decorator) has none, so it is awaited as usual. Not public API:
// hosts call the methods.

const twins = new WeakMap<object, (input: never) => unknown>();

/**
 * Makes the public, promise-returning method of `twin`: it answers `twin`'s answer resolved, or
 * rejects with what `twin` throws; {@link immediateOf} finds `twin` from it.
 */
export function withImmediate<I, O>(twin: (input: I) => O): (input: I) => Promise<O> {
  const method = (input: I): Promise<O> => {
    try {
      return Promise.resolve(twin(input));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  twins.set(method, twin);
  return method;
}

/** The synchronous twin of a store method: `(input) => Promise<O>` answered as `(input) => O`. */
export type Twin<M> = M extends (input: infer I) => Promise<infer O> ? (input: I) => O : never;

/** The synchronous twin of `store[name]`, when it is a memory store method as made (not replaced or wrapped). */
export function immediateOf<S extends object, K extends keyof S>(store: S, name: K): Twin<S[K]> | undefined {
  const method: unknown = store[name];
  return typeof method === 'function' ? (twins.get(method) as Twin<S[K]> | undefined) : undefined;
}
