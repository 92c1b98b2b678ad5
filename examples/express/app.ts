import express, { type Express, type Request, type Response } from 'express';
import { createCastHandler, type CastHandlerOptions } from '../shared/cast-handler.js';
import { trustProxyWarning, type TrustProxy } from '../shared/trust-proxy.js';

/**
 * Options of {@link createExpressCastApp}: the shared handler options, plus Express's own.
 *
 * @example
 * ```ts
 * const options: ExpressCastAppOptions = { configs, stores: createMemoryStores(), trustProxy: ['loopback'] };
 * ```
 */
export interface ExpressCastAppOptions extends CastHandlerOptions {
  /**
   * Express's `trust proxy`: `false` (no proxy: `req.ip` is the socket address) or the addresses /
   * CIDR ranges of your proxies (`['loopback']`, `'10.0.0.0/8'`); Express then takes `req.ip` from
   * `X-Forwarded-For`, walking from the right over trusted hops only. `true` trusts every proxy,
   * which lets any client choose its address: a warning is printed once at start-up.
   * @defaultValue false
   */
  readonly trustProxy?: TrustProxy | undefined;
  /** The signed-in user of a request, from the host's own session (e.g. `req.user`). @defaultValue nobody */
  readonly userOf?: ((req: Request) => { readonly id: string } | null | undefined) | undefined;
  /** Where the start-up warning goes. @defaultValue `console.warn` */
  readonly warn?: ((message: string) => void) | undefined;
}

/**
 * Builds an Express 5 app serving `GET /cast/:key` (and `POST`, which the captcha check page uses
 * to send the request again with its token). The client address is Express's `req.ip` under its
 * `trust proxy` setting; castgate never reads `X-Forwarded-For` itself. Throws a `TypeError` when
 * a config needs a captcha and no verifier or widget was given.
 *
 * @example
 * ```ts
 * import { createMemoryStores } from 'castgate';
 * const configs = await loadConfigSource(new URL('../configs.json', import.meta.url));
 * const app = createExpressCastApp({ configs, stores: createMemoryStores(), trustProxy: ['loopback'] });
 * app.listen(3000, '127.0.0.1');
 * ```
 */
export function createExpressCastApp(options: ExpressCastAppOptions): Express {
  const trustProxy = options.trustProxy ?? false;
  const warning = trustProxyWarning(trustProxy, 'Express "trust proxy"');
  if (warning !== undefined) (options.warn ?? console.warn)(warning);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', typeof trustProxy === 'object' ? [...trustProxy] : trustProxy);

  const handle = createCastHandler(options);
  const userOf = options.userOf;
  // The captcha check page posts a small form: its token is at most a few KB.
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 20 });

  async function cast(req: Request<{ key: string }>, res: Response): Promise<void> {
    const answer = await handle({
      method: req.method,
      key: req.params.key,
      ip: req.ip,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
      query: req.query,
      body: req.body as unknown,
      user: userOf?.(req) ?? null,
    });
    res.status(answer.status).set(answer.headers);
    if (answer.body === null) res.end();
    else res.send(answer.body);
  }

  app.get('/cast/:key', cast);
  app.post('/cast/:key', form, cast);
  return app;
}
