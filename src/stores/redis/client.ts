import { CallAbortedError, DeadlineExceededError, runWithDeadline } from '../../engine/deadline.js';
import { RedisStoreError } from './errors.js';
import type { LuaScript } from './scripts.js';
import { tickWrites } from './tick-writes.js';

/**
 * The part of an ioredis client (`Redis` or `Cluster`, v5) the stores use: `evalsha` and `eval` with
 * the key count first.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import type { IoredisScriptClient } from 'castgate/redis';
 * const client: IoredisScriptClient = new Redis({ enableOfflineQueue: false });
 * ```
 */
export interface IoredisScriptClient {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/**
 * The part of a node-redis client (v4 or v5, single node or cluster) the stores use: `evalSha` and
 * `eval` with `{ keys, arguments }`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import type { NodeRedisScriptClient } from 'castgate/redis';
 * const client: NodeRedisScriptClient = createClient({ disableOfflineQueue: true });
 * ```
 */
export interface NodeRedisScriptClient {
  evalSha(sha1: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/**
 * A Redis client as `createRedisStores` takes it: an ioredis or a node-redis client, as it is.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import type { RedisScriptClient } from 'castgate/redis';
 * const client: RedisScriptClient = new Redis();
 * ```
 */
export type RedisScriptClient = IoredisScriptClient | NodeRedisScriptClient;

/** Runs one of our Lua scripts: EVALSHA, and EVAL once more when Redis does not know the script. */
export interface ScriptRunner {
  run(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /**
   * Sends a script once, EVALSHA (or EVAL with `source`), its first `numKeys` items the keys, the rest
   * the arguments; a NOSCRIPT error is the caller's to handle. One array, no promise of our own.
   */
  send(script: LuaScript, source: boolean, numKeys: number, keysAndArgs: string[]): Promise<unknown>;
}

function isNodeRedis(client: RedisScriptClient): client is NodeRedisScriptClient {
  return typeof (client as Partial<NodeRedisScriptClient>).evalSha === 'function';
}

function isIoredis(client: RedisScriptClient): client is IoredisScriptClient {
  return typeof (client as Partial<IoredisScriptClient>).evalsha === 'function';
}

/** True for Redis's answer to EVALSHA of a script it has not loaded (after a restart or SCRIPT FLUSH). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Adapts a client by duck typing: node-redis has `evalSha`, ioredis has `evalsha`. Throws a
 * `TypeError` for anything else (a programmer error, found when the stores are created).
 */
export function createScriptRunner(client: RedisScriptClient): ScriptRunner {
  if (typeof client !== 'object' || (client as unknown) === null) {
    throw new TypeError('castgate/redis: pass an ioredis or node-redis client');
  }
  if (isNodeRedis(client)) {
    return {
      send: (script, source, numKeys, keysAndArgs) => {
        const options = { keys: keysAndArgs.slice(0, numKeys), arguments: keysAndArgs.slice(numKeys) };
        return source ? client.eval(script.source, options) : client.evalSha(script.sha1, options);
      },
      run: (script, keys, args) =>
        client
          .evalSha(script.sha1, { keys, arguments: args })
          .catch((error: unknown) => {
            if (isNoScript(error)) return client.eval(script.source, { keys, arguments: args });
            throw error;
          }),
    };
  }
  if (isIoredis(client)) {
    const beforeWrite = tickWrites(client);
    return {
      send: (script, source, numKeys, keysAndArgs) => {
        beforeWrite();
        return source ? client.eval(script.source, numKeys, ...keysAndArgs) : client.evalsha(script.sha1, numKeys, ...keysAndArgs);
      },
      run: (script, keys, args) => {
        beforeWrite();
        return client
          .evalsha(script.sha1, keys.length, ...keys, ...args)
          .catch((error: unknown) => {
            if (isNoScript(error)) return client.eval(script.source, keys.length, ...keys, ...args);
            throw error;
          });
      },
    };
  }
  throw new TypeError('castgate/redis: pass an ioredis client (with `evalsha`) or a node-redis client (with `evalSha`)');
}

/**
 * Runs one command under `commandTimeoutMs` and the caller's signal (the core's deadline), and says
 * every way it can fail as a {@link RedisStoreError} naming `operation`: `timeout`, `aborted`, or
 * `command_failed` with the client's error as `cause`. A late answer or failure is absorbed.
 */
export function runCommand<T>(operation: string, timeoutMs: number, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  return runWithDeadline(work, timeoutMs, signal).catch((error: unknown) => {
    if (error instanceof DeadlineExceededError) {
      throw new RedisStoreError('timeout', `castgate/redis: ${operation} got no answer within ${timeoutMs} ms`);
    }
    if (error instanceof CallAbortedError) {
      throw new RedisStoreError('aborted', `castgate/redis: ${operation} aborted by the caller`, { cause: error.cause });
    }
    throw new RedisStoreError('command_failed', `castgate/redis: ${operation} failed`, { cause: error });
  });
}
