// The Fastify flavour of the demo: `npx tsx examples/fastify/server.ts` (PORT=3001 to move it).
import { demoIndexPage, type DemoExample } from '../shared/demo-guide.js';
import { announceDemo, demoAddress } from '../shared/demo-server.js';
import { createDemoSetup } from '../shared/demo-setup.js';
import { demoWidgetPath, demoWidgetScript } from '../shared/demo-widget.js';
import { createFastifyCastApp } from './app.js';

const { host, port } = demoAddress(process.env);
const { options, captchaMode } = await createDemoSetup(process.env);
// No proxy in front of the demo: request.ip is the socket address. Behind one, list it: ['127.0.0.1'].
// For the demo only, the x-demo-user header plays the signed-in user; a host reads its own session.
const app = await createFastifyCastApp({
  ...options,
  userOf: (request) => {
    const id = request.headers['x-demo-user'];
    return typeof id === 'string' && id.trim() !== '' ? { id: id.trim() } : null;
  },
});

let examples: readonly DemoExample[] = [];
app.get('/', async (_request, reply) => {
  const page = demoIndexPage(examples, 'Fastify 5');
  return reply.code(page.status).headers(page.headers).send(page.body);
});
app.get(demoWidgetPath, async (_request, reply) => reply.header('cache-control', 'no-store').type('text/javascript').send(demoWidgetScript));

try {
  await app.listen({ port, host });
} catch (error) {
  console.error(`castgate demo: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
examples = announceDemo(app.server, 'Fastify 5', options, captchaMode);
