// castgate/http: the framework-neutral HTTP layer (SPEC §11). The adapters (castgate/express,
// castgate/fastify, castgate/fetch) only turn their framework's request into a CastHttpInput and
// send the CastHttpOutput back.

export { createCastHttpHandler } from './handler.js';
export type { CastHttpErrorCode } from './handler.js';
export type { CastConfigSource, CastHttpHandler, CastHttpInput, CastHttpOptions, CastHttpOutput, CastHttpUser } from './types.js';
export { castCaptchaScriptUrls, castCaptchaTokenFields } from './captcha-widget.js';
export type { CastCaptchaProvider, CastCaptchaWidget } from './captcha-widget.js';
export { castFormBodyLimit } from './form-body.js';
