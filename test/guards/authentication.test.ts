import { describe, expect, it } from 'vitest';
import { evaluateCast } from '../../src/engine/evaluate.js';
import { authenticationGuard } from '../../src/guards/authentication.js';
import { config, contextFor, stores, t0 } from '../helpers/cast.js';

describe('authentication guard', () => {
  it('denies an anonymous request with auth_required (401) when allowAnonymous is off', async () => {
    const d = await evaluateCast(config({ allowAnonymous: false }), { ip: '192.0.2.1', now: t0 }, stores());
    expect(d.error).toMatchObject({ code: 'auth_required', status: 401 });
  });

  it('passes a signed-in user, who keeps their identity and persistent profile', async () => {
    const d = await evaluateCast(config({ allowAnonymous: false }), { ip: '192.0.2.1', user: { id: 'u-7' }, now: t0 }, stores());
    expect(d.allowed).toBe(true);
    expect(d.launch?.user).toEqual({ anonymous: false, id: 'u-7', groupIds: [] });
    expect(d.launch?.persistentProfile).toBe(true);
    expect(d.session?.userId).toBe('u-7');
  });

  it('passes anonymous requests when allowAnonymous is on, as a new user in All Users plus anonymousGroupId', async () => {
    const s = stores();
    const cfg = config({ anonymousGroupId: 'grp-anon' });
    const a = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    const b = await evaluateCast(cfg, { ip: '192.0.2.1', now: t0 }, s);
    expect(a.launch?.user).toEqual({ anonymous: true, groupIds: ['all-users', 'grp-anon'] });
    expect(a.launch?.persistentProfile).toBe(false);
    expect(a.session?.userId).not.toBe(b.session?.userId);
  });

  it('keeps a signed-in user as themselves when anonymous access is also allowed', async () => {
    expect(await authenticationGuard.check(contextFor(config(), { ip: '192.0.2.1', user: { id: 'u-1' } }))).toEqual({ verdict: 'pass' });
    const d = await evaluateCast(config(), { ip: '192.0.2.1', user: { id: 'u-1' }, now: t0 }, stores());
    expect(d.launch?.user.anonymous).toBe(false);
  });
});
