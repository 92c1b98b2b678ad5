// The runnable demo: `npm run demo` (or `npx tsx examples/express/server.ts`). PORT=3001 to move it.
import { createServer } from 'node:http';
import { demoIndexPage, type DemoExample } from '../shared/demo-guide.js';
import { announceDemo, demoAddress } from '../shared/demo-server.js';
import { createDemoSetup } from '../shared/demo-setup.js';
import { demoWidgetPath, demoWidgetScript } from '../shared/demo-widget.js';
import { createExpressCastApp } from './app.js';

const { host, port } = demoAddress(process.env);
const { options, captchaMode } = await createDemoSetup(process.env);
// No proxy in front of the demo: req.ip is the socket address. Behind one, list it: ['loopback'].
// For the demo only, the x-demo-user header plays the signed-in user; a host reads its own session.
const app = createExpressCastApp({ ...options, userOf: (req) => { const id = req.get('x-demo-user')?.trim(); return id ? { id } : null; } });

let examples: readonly DemoExample[] = [];
app.get('/', (_req, res) => {
  const page = demoIndexPage(examples, 'Express 5');
  res.status(page.status).set(page.headers).send(page.body);
});
app.get(demoWidgetPath, (_req, res) => {
  res.set('cache-control', 'no-store').type('text/javascript').send(demoWidgetScript);
});

const server = createServer(app);
server.on('error', (error) => {
  console.error(`castgate demo: cannot listen on ${host}:${port}: ${error.message}`);
  process.exitCode = 1;
});
server.listen(port, host, () => {
  examples = announceDemo(server, 'Express 5', options, captchaMode);
});
