// castgate/express: the Express 5 adapter. It turns a request into a CastHttpInput and sends the
// answer; everything else is the framework-neutral handler's.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isCastPath } from './cast-path.js';
import { createCastHttpCore } from './handler.js';
import { nodeHeaders, readNodeBody } from './node-body.js';
import type { CastHttpInput, CastHttpOptions, CastHttpOutput, CastHttpUser } from './types.js';
import { trustProxyWarning } from './trust-proxy.js';

/**
 * Options of {@link castgateExpress}: the handler's, plus how to find the signed-in user.
 *
 * @example
 * ```ts
 * import type { CastgateExpressOptions } from 'castgate/express';
 * const userOf: CastgateExpressOptions['userOf'] = (req) => (req.get('x-user') === undefined ? null : { id: 'alice' });
 * ```
 */
export interface CastgateExpressOptions extends CastHttpOptions {
  /** The signed-in user of a request, from the host's own session (e.g. `req.user`); may be async. @defaultValue nobody */
  readonly userOf?: ((req: Request) => CastHttpUser | null | undefined | Promise<CastHttpUser | null | undefined>) | undefined;
}

function send(res: Response, output: CastHttpOutput): void {
  if (res.headersSent) return;
  const { body, headers } = output;
  // With its length given, Node sends the head and the body in one write; without it, a body after
  // writeHead goes out chunked (three more buffers and a writev per answer).
  headers['content-length'] = body === null ? '0' : String(Buffer.byteLength(body));
  res.writeHead(output.status, headers);
  res.end(body ?? undefined);
}

/**
 * An Express 5 `Router` serving `GET` and `POST` `/cast/:key` where it is mounted (SPEC §11). The
 * client address is `req.ip`, under the app's own `trust proxy` setting (list your proxies; a
 * warning is emitted once when the app trusts every proxy). Other methods on a cast path get 405,
 * unknown keys the 404 page; any other path goes to `next()`. A form body is read by the router
 * itself (16 KB at most), unless the app's own parser already read it. Throws a `TypeError` for
 * options the handler cannot serve.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { createMemoryStores, parseCastConfig } from 'castgate';
 * import { castgateExpress } from 'castgate/express';
 *
 * const app = express();
 * app.set('trust proxy', ['loopback']); // your proxies, never `true`
 * app.use(castgateExpress({
 *   configs: [parseCastConfig({ name: 'Demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true })],
 *   stores: createMemoryStores(),
 * }));
 * app.listen(3000);
 * ```
 */
export function castgateExpress(options: CastgateExpressOptions): Router {
  const { handle, fail } = createCastHttpCore(options);
  const { userOf } = options;
  let warned = false;

  async function serve(req: Request, res: Response): Promise<void> {
    if (!warned) {
      warned = true;
      const warning = trustProxyWarning(req.app.get('trust proxy'), 'Express "trust proxy"');
      if (warning !== undefined) process.emitWarning(warning, { code: 'CASTGATE_TRUST_PROXY' });
    }
    let body: CastHttpInput['body'];
    if (req.method === 'POST') {
      const parsed: unknown = req.body;
      if (parsed instanceof URLSearchParams || parsed instanceof Uint8Array) body = parsed;
      else if (typeof parsed === 'object' && parsed !== null) body = parsed as Readonly<Record<string, string>>;
      else body = await readNodeBody(req);
      if (body === undefined) return;
    }
    send(res, await handle({
      method: req.method,
      url: req.originalUrl,
      ip: req.ip ?? '',
      headers: nodeHeaders(req),
      user: userOf === undefined ? null : () => userOf(req),
      body,
    }));
  }

  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (!isCastPath(req.path)) {
      next();
      return;
    }
    serve(req, res).catch((error: unknown) => {
      send(res, fail('internal_error', req.headers.accept, error));
    });
  });
  return router;
}
