import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { toHttpResponse } from '../../src/engine/http-response.js';
import { config, stores, t0 } from '../helpers/cast.js';

describe('toHttpResponse', () => {
  it('answers 200 with the outcome, session and launch plan (no trace) for an allowed decision', async () => {
    const decision = await evaluateCast(config(), { ip: '192.0.2.1', now: t0 }, stores());
    const response = toHttpResponse(decision);
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' });
    expect(response.body).toEqual({ outcome: 'created', session: decision.session, launch: decision.launch });
    expect(JSON.stringify(response.body)).not.toContain('durationMs');
  });

  it("answers the error's status with the error as JSON, and Retry-After on rate_limited", async () => {
    const s = stores();
    const cfg = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 } });
    await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    const response = toHttpResponse(await evaluateCast(cfg, { ip: '192.0.2.1', now: new Date(t0.getTime() + 15_000) }, s));
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('45');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({ error: { code: 'rate_limited', status: 429, message: 'Request limit reached. Please try again later.', retryAfterSeconds: 45 } });
  });

  it('answers 302 to redirectUrl, with no body, when the config has an errorUrl (Retry-After kept)', async () => {
    const s = stores();
    const cfg = config({ ipRateLimit: { sessions: 1, withinSeconds: 60 }, errorUrl: 'https://portal.example/error' });
    await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    const decision = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    const response = toHttpResponse(decision);
    expect(response).toEqual({
      status: 302,
      headers: { 'cache-control': 'no-store', location: decision.redirectUrl, 'retry-after': '60' },
      body: null,
    });
  });

  it('answers other denials without Retry-After', async () => {
    const response = toHttpResponse(await evaluateCast(config({ allowAnonymous: false }), { ip: '192.0.2.1', now: t0 }, stores()));
    expect(response.status).toBe(401);
    expect(response.headers).not.toHaveProperty('retry-after');
  });
});
