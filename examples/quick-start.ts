// The README's quick start, run by test/readme.test.ts (and, from the packed tarball, in a CommonJS
// and an ESM project by test/package/pack.test.ts) so it cannot rot.
import { createMemoryStores, evaluateCast, parseCastConfig } from 'castgate';

const config = parseCastConfig({
  name: 'Public demo', key: 'Zq3v9Kp2Lm8Xr4Td', imageId: 'kasmweb/chrome', allowAnonymous: true,
  allowedReferrers: ['example.com'], ipRateLimit: { sessions: 1, withinSeconds: 60 }, sessionsRemaining: 100,
});
const stores = createMemoryStores(); // one process; use castgate/redis for many

async function main(): Promise<void> {
  const decision = await evaluateCast(config, { ip: '203.0.113.9', referrer: 'https://example.com/' }, stores);
  if (decision.allowed) console.log('start', decision.launch.imageId, 'for', decision.session.userId);
  else console.log('refuse', decision.error.status, decision.error.message);
}

void main();
