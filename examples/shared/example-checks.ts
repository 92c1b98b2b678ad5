// What each example app is checked for (the full HTTP contract runs on the shipped adapters in
// test/http/): the sample links answer as the demo guide says, the captcha flow works with the
// offline widget, and an unknown key gets castgate's own 404 page.
import { expect, it } from 'vitest';
import { send } from '../../test/helpers/http-client.js';
import { loadConfigs } from './config-source.js';
import { createDemoSetup } from './demo-setup.js';
import { demoCaptchaToken } from './demo-widget.js';

/** An example app on 127.0.0.1, started with the demo's options. */
export interface RunningExample {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Defines the example checks for one framework's example app.
 *
 * @example
 * ```ts
 * checkExampleApp(async (options) => listen(createExpressCastApp(options)));
 * ```
 */
export function checkExampleApp(start: (options: Awaited<ReturnType<typeof createDemoSetup>>['options']) => Promise<RunningExample>): void {
  it('serves the sample links: launch page, referrer refusal, 404 for an unknown key', async () => {
    const { options } = await createDemoSetup({});
    const configs = await loadConfigs(new URL('../configs.json', import.meta.url));
    const key = (prefix: string) => configs.find((config) => config.key.startsWith(`${prefix}-`))!.key;
    const app = await start(options);
    try {
      expect((await send(app.origin, `/cast/${key('anon')}`)).status).toBe(200);
      const refused = await send(app.origin, `/cast/${key('portal')}`, { headers: { referer: 'https://evil.example/' } });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('Requests are not allowed from this domain.');
      expect((await send(app.origin, '/cast/no-such-link-0123456789')).body).toContain('Link not found');
    } finally {
      await app.close();
    }
  });

  it('shows the captcha page with the offline widget, and lets its token through with the state', async () => {
    const { options } = await createDemoSetup({});
    const configs = await loadConfigs(new URL('../configs.json', import.meta.url));
    const captcha = configs.find((config) => config.requireCaptcha)!.key;
    const app = await start(options);
    try {
      const page = await send(app.origin, `/cast/${captcha}`);
      expect(page.status).toBe(403);
      expect(page.body).toContain('"/demo-widget.js"');
      const state = /name="castgate_state" value="([^"]+)"/u.exec(page.body)?.[1] ?? '';
      const answer = await send(app.origin, `/cast/${captcha}`, { form: { castgate_state: state, 'cf-turnstile-response': demoCaptchaToken } });
      expect(answer.status).toBe(200);
    } finally {
      await app.close();
    }
  });
}
