import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GuardContext, Guard } from '../../src/contract/guard.js';
import { pass } from '../../src/contract/guard.js';
import { unavailableAs } from '../../src/engine/context.js';
import { createCastEvaluator } from '../../src/engine/evaluate.js';
import { defaultGuards, provisionGuard } from '../../src/guards/index.js';
import { config, stores, t0 } from '../helpers/cast.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** A guard that keeps the context it was handed, then passes. */
function spy(seen: GuardContext[]): Guard {
  return { name: 'spy', check: (ctx) => { seen.push(ctx); return pass(); } };
}

describe('the guard context', () => {
  it('shows a guard the evaluation, not the loop: no start, no expire, no deadline', async () => {
    const seen: GuardContext[] = [];
    const evaluate = createCastEvaluator({ guards: [spy(seen), ...defaultGuards] });
    await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    const [ctx] = seen;
    expect(ctx?.nowMs).toBe(t0.getTime());
    expect(ctx?.now).toEqual(t0);
    expect(ctx?.request.ip).toBe('203.0.113.9');
    for (const name of ['start', 'expire', 'deadline']) expect(name in (ctx as object)).toBe(false);
  });

  it('shows later guards the launch facts earlier guards passed', async () => {
    const seen: GuardContext[] = [];
    const network: Guard = { name: 'network', check: () => pass({ launch: { dockerNetwork: 'kiosk' } }) };
    const evaluate = createCastEvaluator({ guards: [network, spy(seen), provisionGuard] });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(seen[0]?.launch).toEqual({ dockerNetwork: 'kiosk' });
    expect(d.launch?.dockerNetwork).toBe('kiosk');
  });

  it('aborts the signal of a guard whose time is up', async () => {
    let signal: AbortSignal | undefined;
    const slow: Guard = { name: 'slow', check: (ctx) => { signal = ctx.signal; return new Promise(() => undefined); } };
    const evaluate = createCastEvaluator({ guards: [slow, ...defaultGuards], storeTimeoutMs: 20 });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(d.error?.code).toBe('store_unavailable');
    expect(signal?.aborted).toBe(true);
  });
});

describe('unavailableAs: the code a failing call answers', () => {
  it('names the code of the call in flight, over the guard\'s unavailableCode', async () => {
    const twoParties: Guard = {
      name: 'twoParties',
      unavailableCode: 'captcha_unavailable',
      async check(ctx) {
        unavailableAs(ctx, 'provision_failed');
        await Promise.reject(new Error('down'));
        return pass();
      },
    };
    const evaluate = createCastEvaluator({ guards: [twoParties, ...defaultGuards] });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(d.error).toMatchObject({ code: 'provision_failed', status: 502 });
  });

  it('applies to a time-out too', async () => {
    const hangs: Guard = { name: 'hangs', check: (ctx) => { unavailableAs(ctx, 'captcha_unavailable'); return new Promise(() => undefined); } };
    const evaluate = createCastEvaluator({ guards: [hangs, ...defaultGuards], storeTimeoutMs: 20 });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(d.error?.code).toBe('captcha_unavailable');
    expect(d.trace[0]?.note).toBe('timed out after 20 ms');
  });

  it('holds for one guard only: the next guard fails with its own code', async () => {
    const names: Guard = { name: 'names', check: (ctx) => { unavailableAs(ctx, 'captcha_unavailable'); return pass(); } };
    const fails: Guard = { name: 'fails', check: () => Promise.reject(new Error('down')) };
    const evaluate = createCastEvaluator({ guards: [names, fails, ...defaultGuards] });
    const d = await evaluate(config(), { ip: '203.0.113.9', now: t0 }, stores());
    expect(d.error?.code).toBe('store_unavailable');
  });

  it('does nothing on a context the pipeline did not make (a guard called alone)', () => {
    const ctx = { signal: new AbortController().signal } as GuardContext;
    expect(() => {
      unavailableAs(ctx, 'captcha_unavailable');
    }).not.toThrow();
  });
});
