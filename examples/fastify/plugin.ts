import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyPlugin } from 'fastify-plugin';
import { createCastHandler, type CastHandlerOptions } from '../shared/cast-handler.js';

/**
 * Options of {@link castgatePlugin}: the shared handler options, plus where the routes live and
 * who the signed-in user is.
 *
 * @example
 * ```ts
 * const options: CastgatePluginOptions = { configs, stores: createMemoryStores(), routePrefix: '/links' };
 * ```
 */
export interface CastgatePluginOptions extends CastHandlerOptions {
  /** A path prefix for the routes (`/links` serves `/links/cast/:key`). @defaultValue '' */
  readonly routePrefix?: string | undefined;
  /** The signed-in user of a request, from the host's own auth (e.g. `request.user`). @defaultValue nobody */
  readonly userOf?: ((request: FastifyRequest) => { readonly id: string } | null | undefined) | undefined;
}

const formType = 'application/x-www-form-urlencoded';

async function castgateRoutes(fastify: FastifyInstance, options: CastgatePluginOptions): Promise<void> {
  const handle = createCastHandler(options);
  const { userOf } = options;
  // The routes and their form parser live in their own encapsulated scope, so the host's other
  // routes keep the parsers they had.
  await fastify.register(async (scope) => {
    if (!scope.hasContentTypeParser(formType)) {
      // The captcha check page posts a small form: its token is at most a few KB.
      scope.addContentTypeParser(formType, { parseAs: 'string', bodyLimit: 32 * 1024 }, (_request, body, done) => {
        done(null, new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8')));
      });
    }
    scope.route<{ Params: { key: string } }>({
      method: ['GET', 'POST'],
      url: `${options.routePrefix ?? ''}/cast/:key`,
      async handler(request: FastifyRequest<{ Params: { key: string } }>, reply: FastifyReply) {
        const answer = await handle({
          method: request.method,
          key: request.params.key,
          ip: request.ip,
          headers: request.headers,
          rawHeaders: request.raw.rawHeaders,
          query: request.query,
          body: request.body,
          user: userOf?.(request) ?? null,
        });
        return reply.code(answer.status).headers(answer.headers).send(answer.body ?? undefined);
      },
    });
  });
}

/**
 * A Fastify 5 plugin serving `GET /cast/:key` (and `POST`, which the captcha check page uses to send
 * the request again with its token). The client address is Fastify's `request.ip` under the
 * instance's `trustProxy` option (set it to your proxies' addresses or CIDR ranges, never `true`);
 * castgate never reads `X-Forwarded-For` itself. Registering throws a `TypeError` when a config
 * needs a captcha and no verifier or widget was given.
 *
 * @example
 * ```ts
 * import { fastify } from 'fastify';
 * import { createMemoryStores } from 'castgate';
 * const app = fastify({ trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
 * await app.register(castgatePlugin, { configs, stores: createMemoryStores() });
 * ```
 */
export const castgatePlugin = fastifyPlugin(castgateRoutes, { fastify: '5.x', name: 'castgate-example' });
