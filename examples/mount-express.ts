// The README's "Mount it in your framework" snippet, type-checked with the examples (test/readme.test.ts compares it).
import express from 'express';
import { createMemoryStores, parseCastConfig, turnstileVerifier } from 'castgate';
import { castgateExpress } from 'castgate/express';

const configs = [
  parseCastConfig({
    name: 'Public demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true,
    requireCaptcha: true, allowedReferrers: ['example.com'], ipRateLimit: { sessions: 1, withinSeconds: 60 },
  }),
];

const app = express();
app.set('trust proxy', ['loopback']); // your proxies' addresses: req.ip is then the real client
app.use(castgateExpress({
  configs, // or (key) => a config read from your database
  stores: { ...createMemoryStores(), captcha: turnstileVerifier({ secret: process.env.TURNSTILE_SECRET ?? '' }) },
  captcha: { provider: 'turnstile', siteKey: process.env.TURNSTILE_SITE_KEY ?? '' },
  stateSecret: process.env.CASTGATE_STATE_SECRET ?? '', // ≥ 32 random characters, shared by every process
  loginUrl: '/login', // auth_required → 302 /login?returnTo=/cast/<key>…
  userOf: (req) => (req as typeof req & { user?: { id: string } }).user ?? null, // your session's user
}));
app.listen(3000); // GET/POST /cast/Zq3v9Kp2Lm8Xr4Td: launch page, captcha page, error pages, JSON
