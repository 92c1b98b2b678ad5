import type { ScriptRunner } from './client.js';
import { RedisStoreError } from './errors.js';
import type { LuaScript } from './scripts.js';

/** What a reply reader answers for a reply the store cannot read. */
export const unreadable: unique symbol = Symbol('unreadable');

/** Reads a reply; {@link unreadable} for one the store cannot read. */
export type ReadReply<T> = (reply: unknown) => T | typeof unreadable;

/**
 * What to send to give back what a script took, when its answer cannot be used (it came after the
 * deadline or the caller's abort, it could not be read, or the client failed after sending it). It
 * is keyed by a reservation chosen before sending, so it is safe to send whether the script ran or not.
 */
export interface Undo {
  readonly script: LuaScript;
  readonly keys: string[];
  readonly args: string[];
}

const noScriptReply = /NOSCRIPT/u;

class Call<T> {
  done = false;
  constructor(
    readonly at: number,
    readonly operation: string,
    readonly read: ReadReply<T>,
    readonly undo: Undo | undefined,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

/**
 * Sends scripts with a deadline of `timeoutMs` each. All calls share one unref'd timer (their
 * deadlines come in the order they were sent), so a call costs no timer of its own and the timer
 * never keeps a process alive. A call settles with its answer, or rejects with {@link RedisStoreError}
 * when the client fails, the deadline passes, the caller aborts or the reply cannot be read; in each
 * of those cases its `undo` (if any) is sent once the reply settles, so nothing it took is kept.
 */
export class ScriptCalls {
  readonly #runner: ScriptRunner;
  readonly #timeoutMs: number;
  #queue: Call<unknown>[] = [];
  #head = 0;
  #armed = false;

  constructor(runner: ScriptRunner, timeoutMs: number) {
    this.#runner = runner;
    this.#timeoutMs = timeoutMs;
  }

  send<T>(operation: string, script: LuaScript, keys: string[], args: string[], read: ReadReply<T>, undo?: Undo, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) {
      return Promise.reject(new RedisStoreError('aborted', `castgate/redis: ${operation} aborted by the caller`, { cause: signal.reason }));
    }
    return new Promise<T>((resolve, reject) => {
      const call = new Call<T>(performance.now() + this.#timeoutMs, operation, read, undo, resolve, reject);
      this.#queue.push(call as Call<unknown>);
      if (!this.#armed) this.#arm(this.#timeoutMs);
      let onAbort: (() => void) | undefined;
      if (signal !== undefined) {
        onAbort = () => {
          this.#expire(call, new RedisStoreError('aborted', `castgate/redis: ${operation} aborted by the caller`, { cause: signal.reason }));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      let sent: Promise<unknown>;
      try {
        sent = this.#runner.run(script, keys, args);
      } catch (error) {
        sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      sent.then(
        (reply) => {
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          this.#answered(call, reply);
        },
        (error: unknown) => {
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          this.#failed(call, error);
        },
      );
    });
  }

  #answered<T>(call: Call<T>, reply: unknown): void {
    if (call.done) {
      this.#sendUndo(call);
      return;
    }
    call.done = true;
    const value = call.read(reply);
    if (value === unreadable) {
      this.#sendUndo(call);
      call.reject(new RedisStoreError('unexpected_reply', `castgate/redis: unexpected ${call.operation} reply`));
      return;
    }
    call.resolve(value);
  }

  #failed<T>(call: Call<T>, error: unknown): void {
    const late = call.done;
    call.done = true;
    // An error reply means the script ran and refused (nothing taken); any other failure may come
    // after Redis ran it (a connection lost after sending), so give back.
    const refusedByScript = error instanceof Error && error.message.includes('castgate:');
    if (!refusedByScript && !noScriptReply.test(String(error))) this.#sendUndo(call);
    if (late) return;
    call.reject(
      refusedByScript
        ? new RedisStoreError(/maxmemory-policy/u.test(error.message) ? 'unsafe_eviction_policy' : 'command_failed', error.message, { cause: error })
        : new RedisStoreError('command_failed', `castgate/redis: ${call.operation} failed`, { cause: error }),
    );
  }

  #expire<T>(call: Call<T>, error: RedisStoreError): void {
    if (call.done) return;
    call.done = true;
    call.reject(error);
  }

  #sendUndo<T>(call: Call<T>): void {
    const undo = call.undo;
    if (undo === undefined) return;
    try {
      this.#runner.run(undo.script, undo.keys, undo.args).catch(() => undefined);
    } catch {
      // nothing more can be done: the unit or slot stays taken (under-serving, never over-serving)
    }
  }

  #arm(delayMs: number): void {
    this.#armed = true;
    setTimeout(this.#fire, Math.max(1, delayMs)).unref();
  }

  readonly #fire = (): void => {
    this.#armed = false;
    const queue = this.#queue;
    const now = performance.now();
    let head = this.#head;
    while (head < queue.length) {
      const call = queue[head] as Call<unknown>;
      if (!call.done && call.at > now) break;
      head++;
      if (!call.done) this.#expire(call, new RedisStoreError('timeout', `castgate/redis: ${call.operation} got no answer within ${this.#timeoutMs} ms`));
    }
    // Drop what has been looked at (settled calls wait here until their deadline comes round).
    if (head === queue.length) {
      this.#queue = [];
      this.#head = 0;
      return;
    }
    if (head > 1024 && head * 2 > queue.length) {
      this.#queue = queue.slice(head);
      head = 0;
    }
    this.#head = head;
    this.#arm((this.#queue[head] as Call<unknown>).at - now);
  };
}
