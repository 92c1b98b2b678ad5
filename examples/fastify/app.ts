import { fastify, type FastifyInstance } from 'fastify';
import { trustProxyWarning, type TrustProxy } from '../shared/trust-proxy.js';
import { castgatePlugin, type CastgatePluginOptions } from './plugin.js';

/**
 * Options of {@link createFastifyCastApp}: the plugin's, plus the instance's `trustProxy`.
 *
 * @example
 * ```ts
 * const options: FastifyCastAppOptions = { configs, stores: createMemoryStores(), trustProxy: ['127.0.0.1'] };
 * ```
 */
export interface FastifyCastAppOptions extends CastgatePluginOptions {
  /**
   * Fastify's `trustProxy`: `false` (no proxy: `request.ip` is the socket address) or the addresses
   * / CIDR ranges of your proxies; Fastify then takes `request.ip` from `X-Forwarded-For`, walking
   * from the right over trusted hops only. `true` trusts every proxy, which lets any client choose
   * its address: a warning is printed once at start-up.
   * @defaultValue false
   */
  readonly trustProxy?: TrustProxy | undefined;
  /** Where the start-up warning goes. @defaultValue `console.warn` */
  readonly warn?: ((message: string) => void) | undefined;
}

/**
 * Creates a Fastify 5 instance with {@link castgatePlugin} registered. `trustProxy` is an option of
 * the Fastify factory (a plugin cannot change it), which is why the example has this builder.
 * Rejects with a `TypeError` when a config needs a captcha and no verifier or widget was given.
 *
 * @example
 * ```ts
 * const app = await createFastifyCastApp({ configs, stores: createMemoryStores(), trustProxy: ['127.0.0.1'] });
 * await app.listen({ port: 3000, host: '127.0.0.1' });
 * ```
 */
export async function createFastifyCastApp(options: FastifyCastAppOptions): Promise<FastifyInstance> {
  const trustProxy = options.trustProxy ?? false;
  const warning = trustProxyWarning(trustProxy, 'Fastify "trustProxy"');
  if (warning !== undefined) (options.warn ?? console.warn)(warning);
  const app = fastify({ trustProxy: typeof trustProxy === 'object' ? [...trustProxy] : trustProxy });
  await app.register(castgatePlugin, options);
  return app;
}
