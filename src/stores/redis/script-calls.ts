import { isNoScript, type ScriptRunner } from './client.js';
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

function ignore(): undefined {
  return undefined;
}

/**
 * One script call: what it sends, how its reply reads, and how what it took is given back. A store's
 * hot path subclasses it, so a call is one object (no closures of its own); {@link ScriptCalls.send}
 * wraps the rest.
 */
export abstract class ScriptCall<T> {
  /** Settled for the caller: answered, failed, timed out or aborted. */
  done = false;
  /** Sent again as EVAL, after Redis answered NOSCRIPT. */
  source = false;
  /** When the caller stops waiting (`performance.now()` time). */
  at = 0;
  /** Its place in the deadline queue, counted from the first call ever queued. */
  seq = 0;
  resolve: (value: T) => void = ignore;
  reject: (error: unknown) => void = ignore;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;

  constructor(
    readonly script: LuaScript,
    readonly numKeys: number,
    readonly keysAndArgs: string[],
  ) {}

  /** Names the operation in errors. */
  abstract get operation(): string;

  /** Reads the reply; {@link unreadable} when it cannot. */
  abstract read(reply: unknown): T | typeof unreadable;

  /** Whether an answer says the script took something (a late answer is given back only then). */
  took(value: T): boolean {
    return value !== undefined;
  }

  /**
   * Gives back what the script took, when its answer cannot be used. `known`: the answer said it took
   * (it came late); `false`: nobody knows whether the script ran (the reply was unreadable, or the
   * client failed after sending), so only proof kept in Redis may give anything back.
   */
  abstract giveBack(runner: ScriptRunner, known: boolean): void;
}

/** A call described by closures and an {@link Undo}: the stores' operations off the hot path. */
class DescribedCall<T> extends ScriptCall<T> {
  constructor(
    readonly name: string,
    script: LuaScript,
    keys: string[],
    args: string[],
    readonly reader: ReadReply<T>,
    readonly undo: Undo | undefined,
  ) {
    super(script, keys.length, keys.concat(args));
  }

  get operation(): string {
    return this.name;
  }

  read(reply: unknown): T | typeof unreadable {
    return this.reader(reply);
  }

  override took(): boolean {
    return true;
  }

  giveBack(runner: ScriptRunner): void {
    const undo = this.undo;
    if (undo === undefined) return;
    try {
      runner.run(undo.script, undo.keys, undo.args).catch(ignore);
    } catch {
      // nothing more can be done: the unit or slot stays taken (under-serving, never over-serving)
    }
  }
}

/**
 * Sends scripts with a deadline of `timeoutMs` each. All calls share one unref'd timer (their
 * deadlines come in the order they were sent), so a call costs no timer of its own and the timer
 * never keeps a process alive. A call settles with its answer, or rejects with {@link RedisStoreError}
 * when the client fails, the deadline passes, the caller aborts or the reply cannot be read; in each
 * of those cases what it took is given back once the reply settles, so nothing it took is kept.
 * NOSCRIPT (Redis forgot the script) is answered by sending it again as EVAL.
 */
export class ScriptCalls {
  readonly #runner: ScriptRunner;
  readonly #timeoutMs: number;
  // Calls in deadline order; a settled call's place is emptied at once, so it is not kept alive for
  // the rest of its deadline (it would survive into the old generation). `#base`: the `seq` of `#queue[0]`.
  #queue: (ScriptCall<unknown> | undefined)[] = [];
  #base = 0;
  #head = 0;
  #armed = false;
  #starting: ScriptCall<unknown> | undefined;

  constructor(runner: ScriptRunner, timeoutMs: number) {
    this.#runner = runner;
    this.#timeoutMs = timeoutMs;
  }

  /** Runs a call described by closures (see {@link ScriptCalls.run} for the hot path's own calls). */
  send<T>(operation: string, script: LuaScript, keys: string[], args: string[], read: ReadReply<T>, undo?: Undo, signal?: AbortSignal): Promise<T> {
    return this.run(new DescribedCall(operation, script, keys, args, read, undo), signal);
  }

  /** Sends `call` and answers its reply, read, or a {@link RedisStoreError}. */
  run<T>(call: ScriptCall<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) {
      return Promise.reject(new RedisStoreError('aborted', `castgate/redis: ${call.operation} aborted by the caller`, { cause: signal.reason }));
    }
    const generic = call as ScriptCall<unknown>;
    this.#starting = generic;
    const answer = new Promise<unknown>(this.#settleWith) as Promise<T>;
    this.#starting = undefined;
    call.at = performance.now() + this.#timeoutMs;
    call.seq = this.#base + this.#queue.length;
    this.#queue.push(generic);
    if (!this.#armed) this.#arm(this.#timeoutMs);
    if (signal !== undefined) {
      const onAbort = () => {
        this.#expire(generic, new RedisStoreError('aborted', `castgate/redis: ${call.operation} aborted by the caller`, { cause: signal.reason }));
      };
      call.signal = signal;
      call.onAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
    this.#dispatch(generic);
    return answer;
  }

  // A shared executor: hands the promise's resolvers to the call being started (no closure per call).
  readonly #settleWith = (resolve: (value: unknown) => void, reject: (error: unknown) => void): void => {
    const call = this.#starting as ScriptCall<unknown>;
    call.resolve = resolve;
    call.reject = reject;
  };

  #dispatch(call: ScriptCall<unknown>): void {
    let sent: Promise<unknown>;
    try {
      sent = this.#runner.send(call.script, call.source, call.numKeys, call.keysAndArgs);
    } catch (error) {
      sent = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    sent.then(
      (reply) => {
        this.#answered(call, reply);
      },
      (error: unknown) => {
        this.#failed(call, error);
      },
    );
  }

  /** Settles `call` for the caller: out of the deadline queue, no longer listening to its signal. */
  #detach(call: ScriptCall<unknown>): void {
    const at = call.seq - this.#base;
    if (at >= this.#head && this.#queue[at] === call) this.#queue[at] = undefined;
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
  }

  #answered(call: ScriptCall<unknown>, reply: unknown): void {
    const value = call.read(reply);
    if (call.done) {
      // late, or aborted: give back what it took
      if (value === unreadable) call.giveBack(this.#runner, false);
      else if (call.took(value)) call.giveBack(this.#runner, true);
      return;
    }
    call.done = true;
    this.#detach(call);
    if (value === unreadable) {
      call.giveBack(this.#runner, false);
      call.reject(new RedisStoreError('unexpected_reply', `castgate/redis: unexpected ${call.operation} reply`));
      return;
    }
    call.resolve(value);
  }

  #failed(call: ScriptCall<unknown>, error: unknown): void {
    if (!call.source && isNoScript(error)) {
      // Nothing ran. Send the source when the caller still waits; else there is nothing to give back.
      if (call.done) return;
      call.source = true;
      this.#dispatch(call);
      return;
    }
    const late = call.done;
    call.done = true;
    this.#detach(call);
    // An error reply means the script ran and refused (nothing taken); any other failure may come
    // after Redis ran it (a connection lost after sending), so give back.
    const refusedByScript = error instanceof Error && error.message.includes('castgate:');
    if (!refusedByScript && !noScriptReply.test(String(error))) call.giveBack(this.#runner, false);
    if (late) return;
    call.reject(
      refusedByScript
        ? new RedisStoreError(/maxmemory-policy/u.test(error.message) ? 'unsafe_eviction_policy' : 'command_failed', error.message, { cause: error })
        : new RedisStoreError('command_failed', `castgate/redis: ${call.operation} failed`, { cause: error }),
    );
  }

  #expire(call: ScriptCall<unknown>, error: RedisStoreError): void {
    if (call.done) return;
    call.done = true;
    this.#detach(call);
    call.reject(error);
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
      const call = queue[head];
      if (call !== undefined && call.at > now) break;
      head++;
      if (call !== undefined) this.#expire(call, new RedisStoreError('timeout', `castgate/redis: ${call.operation} got no answer within ${this.#timeoutMs} ms`));
    }
    // Drop what has been looked at.
    if (head === queue.length) {
      this.#base += queue.length;
      this.#queue = [];
      this.#head = 0;
      return;
    }
    if (head > 1024 && head * 2 > queue.length) {
      this.#base += head;
      this.#queue = queue.slice(head);
      head = 0;
    }
    this.#head = head;
    this.#arm((this.#queue[head] as ScriptCall<unknown>).at - now);
  };
}
