// castgate/fastify: the Fastify 5 plugin. It turns a request into a CastHttpInput and sends the
// answer; everything else is the framework-neutral handler's.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createCastHttpCore, type CastHttpCore } from './handler.js';
import { castFormBodyLimit } from './form-body.js';
import { nodeHeaders } from './node-body.js';
import type { CastHttpInput, CastHttpOptions, CastHttpOutput, CastHttpUser } from './types.js';

/**
 * Options of {@link castgateFastify}: the handler's, plus how to find the signed-in user.
 *
 * @example
 * ```ts
 * import type { CastgateFastifyOptions } from 'castgate/fastify';
 * const userOf: CastgateFastifyOptions['userOf'] = (request) => (request.headers['x-user'] === undefined ? null : { id: 'alice' });
 * ```
 */
export interface CastgateFastifyOptions extends CastHttpOptions {
  /** The signed-in user of a request, from the host's own auth (e.g. `request.user`); may be async. @defaultValue nobody */
  readonly userOf?: ((request: FastifyRequest) => CastHttpUser | null | undefined | Promise<CastHttpUser | null | undefined>) | undefined;
}

function send(reply: FastifyReply, output: CastHttpOutput): FastifyReply {
  return reply.code(output.status).headers(output.headers).send(output.body ?? undefined);
}

function failureOf(error: FastifyError): 'body_too_large' | 'unsupported_media_type' | 'invalid_request' | 'internal_error' {
  if (error.statusCode === 413) return 'body_too_large';
  if (error.statusCode === 415) return 'unsupported_media_type';
  if (error.statusCode === 400) return 'invalid_request';
  return 'internal_error';
}

// Fastify answers a path with a broken `%` escape itself, before any plugin runs, with JSON that
// repeats the path. The plugin puts a check in front of the server's request listener: a cast path
// that cannot be decoded gets castgate's 404 page instead (no key can hold a `%`).
interface Guarded {
  readonly prefixes: { readonly prefix: string; readonly core: CastHttpCore }[];
}
const guardedServers = new WeakMap<object, Guarded>();

function isUndecodable(path: string): boolean {
  try {
    decodeURI(path);
    return false;
  } catch {
    return true;
  }
}

function guardBadUrls(server: Server, prefix: string, core: CastHttpCore): void {
  const existing = guardedServers.get(server);
  if (existing !== undefined) {
    existing.prefixes.push({ prefix, core });
    return;
  }
  const listeners = server.listeners('request');
  const original = listeners[0];
  if (listeners.length !== 1 || typeof original !== 'function') return;
  const guarded: Guarded = { prefixes: [{ prefix, core }] };
  guardedServers.set(server, guarded);
  server.removeListener('request', original as (...args: unknown[]) => void);
  server.on('request', function castgateUrlCheck(this: Server, req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '';
    const percent = url.indexOf('%');
    const question = percent === -1 ? -1 : url.indexOf('?');
    if (percent !== -1 && (question === -1 || percent < question)) {
      const path = question === -1 ? url : url.slice(0, question);
      const match = guarded.prefixes.find((entry) => path.startsWith(`${entry.prefix}/cast/`));
      if (match !== undefined && isUndecodable(path)) {
        const output = match.core.fail('not_found', req.headers.accept);
        res.writeHead(output.status, output.headers);
        res.end(output.body ?? undefined);
        return;
      }
    }
    (original as (this: Server, req: IncomingMessage, res: ServerResponse) => void).call(this, req, res);
  });
}

function registerRoutes(fastify: FastifyInstance, options: CastgateFastifyOptions): void {
  const core = createCastHttpCore(options);
  const { handle, fail } = core;
  const { userOf } = options;

  // Encapsulated: these parsers and this error handler serve the cast routes only. Any body is read
  // as bytes (the handler checks type, charset and size); Fastify's JSON parser, whose errors repeat
  // the input, never runs here.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: castFormBodyLimit }, (_request, body, done) => {
    done(null, body);
  });
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const failure = failureOf(error);
    return send(reply, fail(failure, request.headers.accept, failure === 'internal_error' ? error : undefined));
  });
  fastify.setNotFoundHandler((request, reply) => send(reply, fail('not_found', request.headers.accept)));
  guardBadUrls(fastify.server, fastify.prefix, core);

  // Not an async function: Fastify would wrap its promise and the answer would wait one more turn.
  // The reply is sent when the handler's promise settles. A send that throws (Node refuses a header)
  // is answered with castgate's 500 instead: thrown inside a `then` callback it would be an unhandled
  // rejection, and the visitor would get no answer.
  const sendOrFail = (request: FastifyRequest, reply: FastifyReply, output: CastHttpOutput): void => {
    try {
      send(reply, output);
    } catch (error) {
      for (const name of Object.keys(output.headers)) reply.removeHeader(name);
      send(reply, fail('internal_error', request.headers.accept, error));
    }
  };
  fastify.all('/cast/*', (request: FastifyRequest, reply: FastifyReply) => {
    const raw = request.body;
    const input: CastHttpInput = {
      method: request.method,
      url: request.url,
      ip: request.ip,
      headers: nodeHeaders(request.raw),
      user: userOf === undefined ? null : () => userOf(request),
      body: raw instanceof Uint8Array ? raw : undefined,
    };
    handle(input).then(
      (output) => {
        sendOrFail(request, reply, output);
      },
      (error: unknown) => {
        sendOrFail(request, reply, fail('internal_error', request.headers.accept, error));
      },
    );
  });
}

// A promise, so options castgate cannot serve reject `register` (a synchronous throw would stall it).
const routes: FastifyPluginAsync<CastgateFastifyOptions> = (fastify, options) =>
  new Promise<void>((resolve) => {
    registerRoutes(fastify, options);
    resolve();
  });

// Plugin metadata, as fastify-plugin writes it (without its `skip-override`: the routes, parsers
// and error handler stay encapsulated, and the register `prefix` applies).
Object.assign(routes, {
  [Symbol.for('plugin-meta')]: { name: 'castgate', fastify: '5.x' },
  [Symbol.for('fastify.display-name')]: 'castgate',
});

/**
 * A Fastify 5 plugin serving `GET` and `POST` `/cast/:key` under the register `prefix` (SPEC §11).
 * The client address is `request.ip`, under the instance's `trustProxy` option (list your proxies,
 * never `true`). Its routes have their own body parser (16 KB,
 * checked by the handler) and error answers, so Fastify's default JSON errors never reach a
 * visitor; the rest of the app keeps its parsers. Throws a `TypeError` when registered with options
 * the handler cannot serve.
 *
 * @example
 * ```ts
 * import { fastify } from 'fastify';
 * import { createMemoryStores, parseCastConfig } from 'castgate';
 * import { castgateFastify } from 'castgate/fastify';
 *
 * const app = fastify({ trustProxy: ['127.0.0.1'] }); // your proxies, never `true`
 * await app.register(castgateFastify, {
 *   prefix: '/links', // serves /links/cast/:key
 *   configs: [parseCastConfig({ name: 'Demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true })],
 *   stores: createMemoryStores(),
 * });
 * await app.listen({ port: 3000 });
 * ```
 */
export const castgateFastify: FastifyPluginAsync<CastgateFastifyOptions> = routes;
