import { fastify, type FastifyInstance } from 'fastify';
import { castgateFastify, type CastgateFastifyOptions } from 'castgate/fastify';

/**
 * Options of {@link createFastifyCastApp}: the plugin's, plus the instance's `trustProxy`.
 *
 * @example
 * ```ts
 * const options: FastifyCastAppOptions = { configs, stores: createMemoryStores(), trustProxy: ['127.0.0.1'] };
 * ```
 */
export interface FastifyCastAppOptions extends CastgateFastifyOptions {
  /**
   * Fastify's `trustProxy`: `false` (no proxy: `request.ip` is the socket address) or your proxies'
   * addresses or CIDR ranges, never `true` or a hop count (a factory option: a plugin cannot set it).
   * @defaultValue false
   */
  readonly trustProxy?: false | readonly string[] | undefined;
}

/**
 * A small Fastify 5 app with castgate's plugin registered (it serves `GET` and `POST` `/cast/:key`,
 * pages included). Rejects with a `TypeError` for options castgate cannot serve.
 *
 * @example
 * ```ts
 * const app = await createFastifyCastApp({ configs: await loadConfigs('configs.json'), stores: createMemoryStores() });
 * await app.listen({ port: 3000, host: '127.0.0.1' });
 * ```
 */
export async function createFastifyCastApp(options: FastifyCastAppOptions): Promise<FastifyInstance> {
  const app = fastify({ trustProxy: options.trustProxy === undefined || options.trustProxy === false ? false : [...options.trustProxy] });
  await app.register(castgateFastify, options);
  return app;
}
