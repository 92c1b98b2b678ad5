// The Fastify flavour of the demo: `npx tsx examples/fastify/server.ts` (PORT=3001 to move it).
import { demoIndexPage, type DemoExample } from '../shared/demo-guide.js';
import { announceDemo, demoAddress } from '../shared/demo-server.js';
import { createDemoSetup } from '../shared/demo-setup.js';
import { createFastifyCastApp } from './app.js';

const { host, port } = demoAddress(process.env);
const { options, captchaMode } = await createDemoSetup(process.env);
// No proxy in front of the demo: request.ip is the socket address. Behind one, list it: ['127.0.0.1'].
const app = await createFastifyCastApp({ ...options, trustProxy: false });

let examples: readonly DemoExample[] = [];
app.get('/', async (_request, reply) => {
  const page = demoIndexPage(examples, 'Fastify 5');
  return reply.code(page.status).headers(page.headers).send(page.body);
});

try {
  await app.listen({ port, host });
} catch (error) {
  console.error(`castgate demo: cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
examples = announceDemo(app.server, 'Fastify 5', options, captchaMode);
