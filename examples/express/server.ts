// The runnable demo: `npm run demo` (or `npx tsx examples/express/server.ts`). PORT=3001 to move it.
import { createServer } from 'node:http';
import { demoIndexPage, type DemoExample } from '../shared/demo-guide.js';
import { announceDemo, demoAddress } from '../shared/demo-server.js';
import { createDemoSetup } from '../shared/demo-setup.js';
import { createExpressCastApp } from './app.js';

const { host, port } = demoAddress(process.env);
const { options, captchaMode } = await createDemoSetup(process.env);
// No proxy in front of the demo: req.ip is the socket address. Behind one, list it: ['loopback'].
const app = createExpressCastApp({ ...options, trustProxy: false });

let examples: readonly DemoExample[] = [];
app.get('/', (_req, res) => {
  const page = demoIndexPage(examples, 'Express 5');
  res.status(page.status).set(page.headers).send(page.body);
});

const server = createServer(app);
server.on('error', (error) => {
  console.error(`castgate demo: cannot listen on ${host}:${port}: ${error.message}`);
  process.exitCode = 1;
});
server.listen(port, host, () => {
  examples = announceDemo(server, 'Express 5', options, captchaMode);
});
