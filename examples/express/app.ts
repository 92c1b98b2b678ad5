import express, { type Express } from 'express';
import { castgateExpress, type CastgateExpressOptions } from 'castgate/express';

/**
 * Options of {@link createExpressCastApp}: the router's, plus the app's `trust proxy`.
 *
 * @example
 * ```ts
 * const options: ExpressCastAppOptions = { configs, stores: createMemoryStores(), trustProxy: ['loopback'] };
 * ```
 */
export interface ExpressCastAppOptions extends CastgateExpressOptions {
  /**
   * Express's `trust proxy`: `false` (no proxy: `req.ip` is the socket address) or your proxies'
   * addresses or CIDR ranges (`['loopback']`, `['10.0.0.0/8']`), never `true` or a hop count.
   * @defaultValue false
   */
  readonly trustProxy?: false | readonly string[] | undefined;
}

/**
 * A small Express 5 app: `trust proxy` set to your proxies, and castgate's router mounted at `/`
 * (it serves `GET` and `POST` `/cast/:key`, pages included, and passes every other path on).
 *
 * @example
 * ```ts
 * const app = createExpressCastApp({ configs: await loadConfigs('configs.json'), stores: createMemoryStores() });
 * app.listen(3000, '127.0.0.1');
 * ```
 */
export function createExpressCastApp(options: ExpressCastAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy === undefined || options.trustProxy === false ? false : [...options.trustProxy]);
  app.use(castgateExpress(options));
  return app;
}
