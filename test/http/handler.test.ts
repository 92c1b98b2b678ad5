import { createCastEvaluator, createMemoryStores, parseCastConfig, signCastLink } from 'castgate';
import { createCastHttpHandler, type CastHttpInput } from 'castgate/http';
import { describe, expect, it } from 'vitest';

const anon = parseCastConfig({ name: 'A', key: 'anon-v7ZgRkJkHY9Uobsi6T', imageId: 'img', allowAnonymous: true });
const captcha = parseCastConfig({ name: 'C', key: 'captcha-oUXAttKSAsMq5yKEbr', imageId: 'img', allowAnonymous: true, requireCaptcha: true });
const stateSecret = 'test-state-secret-0123456789-abcdefghij';
const get = (url: string, extra: Partial<CastHttpInput> = {}): CastHttpInput => ({ method: 'GET', url, ip: '203.0.113.9', headers: {}, ...extra });

describe('createCastHttpHandler', () => {
  it('binds the captcha state to the client bucket: another address is refused (400)', async () => {
    const handle = createCastHttpHandler({
      configs: [captcha],
      stores: { ...createMemoryStores(), captcha: { verify: () => Promise.resolve({ success: true }) } },
      captcha: { provider: 'hcaptcha', siteKey: 'k' },
      stateSecret,
    });
    const page = await handle(get(`/cast/${captcha.key}`));
    const state = /name="castgate_state" value="([^"]+)"/u.exec(page.body ?? '')?.[1] ?? '';
    const post = (ip: string) => handle({ method: 'POST', url: `/cast/${captcha.key}`, ip, headers: {}, body: new URLSearchParams({ castgate_state: state, 'h-captcha-response': 't' }) });
    expect((await post('203.0.113.10')).status).toBe(400);
    expect((await post('203.0.113.9')).status).toBe(200);
  });

  it('calls a user function only for a known link, and answers 500 (onError) when it throws', async () => {
    const errors: unknown[] = [];
    const handle = createCastHttpHandler({ configs: [anon], stores: createMemoryStores(), onError: (error) => errors.push(error) });
    let calls = 0;
    const user = () => {
      calls++;
      throw new Error('session store down');
    };
    expect((await handle(get('/cast/unknown-link-0123456789', { user }))).status).toBe(404);
    expect(calls).toBe(0);
    const answer = await handle(get(`/cast/${anon.key}`, { user }));
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain('session store down');
    expect(errors).toHaveLength(1);
  });

  it('uses an async user function\'s answer', async () => {
    const members = parseCastConfig({ name: 'M', key: 'members-SjSukD86Gr2YhWH8BS', imageId: 'img' });
    const handle = createCastHttpHandler({ configs: [members], stores: createMemoryStores() });
    const answer = await handle(get(`/cast/${members.key}`, { user: () => Promise.resolve({ id: 'alice' }), headers: { accept: 'application/json' } }));
    expect(JSON.parse(answer.body ?? '')).toMatchObject({ allowed: true, launch: { user: { id: 'alice' } } });
  });

  it('refuses options it cannot serve at creation: unparsed configs, a duplicate key, a bad loginUrl or script URL', () => {
    const stores = createMemoryStores();
    expect(() => createCastHttpHandler({ configs: [{ ...anon }], stores })).toThrow(/parseCastConfig/u);
    expect(() => createCastHttpHandler({ configs: [anon, anon], stores })).toThrow(/share the key/u);
    expect(() => createCastHttpHandler({ configs: [anon], stores, loginUrl: 'javascript:alert(1)' })).toThrow(/loginUrl/u);
    expect(() => createCastHttpHandler({ configs: [anon], stores, loginUrl: '//evil.example/login' })).toThrow(/loginUrl/u);
    expect(() => createCastHttpHandler({ configs: [anon], stores, captcha: { provider: 'turnstile', siteKey: 'k', scriptUrl: 'data:text/javascript,1' } })).toThrow(/scriptUrl/u);
  });

  it('passes onDecision, messages and clock to an evaluator of the host\'s own, per call', async () => {
    const events: string[] = [];
    const validUntil = parseCastConfig({ name: 'E', key: 'expiry-9bq2Lk7Tz4Wm', imageId: 'img', allowAnonymous: true, validUntil: '2030-01-01T00:00:00Z' });
    const handle = createCastHttpHandler({
      configs: [anon, validUntil],
      stores: createMemoryStores(),
      evaluate: createCastEvaluator({ onDecision: () => { events.push('the evaluator\'s own hook'); } }),
      onDecision: (event) => { events.push(event.decisionId); },
      messages: { link_expired: 'Ce lien a expiré.' },
      clock: () => new Date('2031-01-01T00:00:00Z'),
    });
    const answer = await handle(get(`/cast/${validUntil.key}`, { headers: { accept: 'application/json' } }));
    expect(answer.status).toBe(410);
    expect(JSON.parse(answer.body ?? '')).toMatchObject({ error: { message: 'Ce lien a expiré.' } });
    expect(events).toEqual([answer.headers['x-cast-decision-id']]);
    expect((await handle(get(`/cast/${anon.key}`))).status).toBe(200);
    expect(events).toHaveLength(2);
  });

  it('refuses an onDecision or clock that is not a function at creation', () => {
    const stores = createMemoryStores();
    expect(() => createCastHttpHandler({ configs: [anon], stores, onDecision: 'log' as never })).toThrow(/onDecision/u);
    expect(() => createCastHttpHandler({ configs: [anon], stores, clock: new Date() as never })).toThrow(/clock/u);
  });

  it('adds returnTo to a relative loginUrl', async () => {
    const members = parseCastConfig({ name: 'M', key: 'members-SjSukD86Gr2YhWH8BS', imageId: 'img' });
    const handle = createCastHttpHandler({ configs: [members], stores: createMemoryStores(), loginUrl: '/login' });
    const answer = await handle(get(`/cast/${members.key}?a=1`));
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(`/login?returnTo=${encodeURIComponent(`/cast/${members.key}?a=1`)}`);
  });

  it('shows Kasm\'s message alone when the host replaced it (e.g. translated): no English explanation under it', async () => {
    const portal = parseCastConfig({ name: 'P', key: 'portal-TJkeRD8ELiQjMkdj8S', imageId: 'img', allowAnonymous: true, allowedReferrers: ['example.com'] });
    const handle = createCastHttpHandler({ configs: [portal], stores: createMemoryStores(), messages: { referrer_denied: 'Accès refusé depuis ce domaine.' }, lang: 'fr' });
    const answer = await handle(get(`/cast/${portal.key}`));
    expect(answer.body).toContain('Accès refusé depuis ce domaine.');
    expect(answer.body).toContain('<html lang="fr">');
    expect(answer.body).not.toContain('only opens from the website');
  });

  it('reads a signed link from the `token` query parameter; a missing or repeated one is not valid (403)', async () => {
    const signed = parseCastConfig({ name: 'S', key: 'signed-Qm3v8TzX1pLw9RkE4n', imageId: 'img', allowAnonymous: true, requireSignedLink: true });
    const secret = 'link-secret-0123456789-abcdefghijklmnop';
    const handle = createCastHttpHandler({
      configs: [signed],
      stores: createMemoryStores(),
      evaluate: createCastEvaluator({ linkKeys: { k1: secret } }),
    });
    const token = await signCastLink({ key: signed.key, expiresAt: Date.now() + 60_000 }, { secret, kid: 'k1' });
    const json = { accept: 'application/json' };
    const allowed = await handle(get(`/cast/${signed.key}?token=${token}`, { headers: json }));
    expect(allowed.status).toBe(200);
    const missing = await handle(get(`/cast/${signed.key}`, { headers: json }));
    expect(missing.status).toBe(403);
    expect(JSON.parse(missing.body ?? '{}')).toMatchObject({ error: { code: 'link_invalid' } });
    const repeated = await handle(get(`/cast/${signed.key}?token=${token}&token=${token}`, { headers: json }));
    expect(JSON.parse(repeated.body ?? '{}')).toMatchObject({ error: { code: 'link_invalid' } });
  });
});
