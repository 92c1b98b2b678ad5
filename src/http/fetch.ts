// castgate/fetch: the Web-standard adapter (Hono, Next.js route handlers, Bun, Deno). It turns a
// Request into a CastHttpInput and the answer into a Response.
import { isCastPath } from './cast-path.js';
import { castFormBodyLimit } from './form-body.js';
import { createCastHttpCore } from './handler.js';
import type { CastHttpInput, CastHttpOptions, CastHttpOutput, CastHttpUser } from './types.js';

/**
 * What the runtime knows about a request that the `Request` does not carry: the client address
 * (as the platform resolved it: Hono's `getConnInfo`, Bun's `server.requestIP`, Deno's
 * `info.remoteAddr`, a trusted proxy's header you parsed yourself) and the signed-in user.
 *
 * @example
 * ```ts
 * import type { CastFetchContext } from 'castgate/fetch';
 * const context: CastFetchContext = { ip: '203.0.113.9', user: null };
 * ```
 */
export interface CastFetchContext {
  readonly ip: string;
  readonly user?: CastHttpUser | null | undefined;
}

/**
 * The handler {@link createCastFetchHandler} builds. It never rejects.
 *
 * @example
 * ```ts
 * import type { CastFetchHandler } from 'castgate/fetch';
 * const serve = (handler: CastFetchHandler, request: Request) => handler(request, { ip: '203.0.113.9' });
 * ```
 */
export type CastFetchHandler = (request: Request, context: CastFetchContext) => Promise<Response>;

/** Reads at most one byte past the form limit (the handler answers 413 from there). */
async function readWebBody(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > castFormBodyLimit) return new Uint8Array(castFormBodyLimit + 1);
  if (request.body === null) return new Uint8Array(0);
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
    if (size > castFormBodyLimit) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(size, castFormBodyLimit + 1));
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= bytes.length) break;
    bytes.set(chunk.subarray(0, bytes.length - offset), offset);
    offset += chunk.length;
  }
  return bytes;
}

function pathAndQuery(url: string): string {
  const scheme = url.indexOf('://');
  const slash = scheme === -1 ? url.indexOf('/') : url.indexOf('/', scheme + 3);
  if (slash === -1) return '/';
  const hash = url.indexOf('#', slash);
  return hash === -1 ? url.slice(slash) : url.slice(slash, hash);
}

/** The request headers the handler reads. */
const readHeaders = ['accept', 'referer', 'x-captcha-token', 'content-type', 'content-encoding'] as const;

function toResponse(output: CastHttpOutput): Response {
  return new Response(output.body, { status: output.status, headers: output.headers });
}

/**
 * A Web-standard handler (SPEC §11): `(request, { ip, user? }) => Promise<Response>`, answering
 * `GET` and `POST` `/…/cast/<key>` (whatever comes before `/cast/`) and the 404 page for any other
 * path. The client address comes from the context: never from a header castgate would have to trust.
 * Throws a `TypeError` for options the handler cannot serve.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { getConnInfo } from '@hono/node-server/conninfo';
 * import { createMemoryStores, parseCastConfig } from 'castgate';
 * import { createCastFetchHandler } from 'castgate/fetch';
 *
 * const cast = createCastFetchHandler({
 *   configs: [parseCastConfig({ name: 'Demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true })],
 *   stores: createMemoryStores(),
 * });
 * const app = new Hono();
 * app.all('/cast/:key', (c) => cast(c.req.raw, { ip: getConnInfo(c).remote.address ?? '' }));
 * ```
 */
export function createCastFetchHandler(options: CastHttpOptions): CastFetchHandler {
  const { handle, fail } = createCastHttpCore(options);
  return async function castFetch(request: Request, context: CastFetchContext): Promise<Response> {
    const url = pathAndQuery(request.url);
    const question = url.indexOf('?');
    if (!isCastPath(question === -1 ? url : url.slice(0, question))) return toResponse(fail('not_found', request.headers.get('accept') ?? undefined));
    try {
      // Only the headers the handler reads (a Referer sent twice arrives joined by ", ", and is refused).
      const headers: Record<string, string> = {};
      for (const name of readHeaders) {
        const value = request.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      const input: CastHttpInput = {
        method: request.method,
        url,
        ip: context.ip,
        headers,
        user: context.user ?? null,
        body: request.method === 'POST' ? await readWebBody(request) : undefined,
      };
      return toResponse(await handle(input));
    } catch (error) {
      return toResponse(fail('internal_error', request.headers.get('accept') ?? undefined, error));
    }
  };
}
