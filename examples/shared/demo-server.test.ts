import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { send } from '../../test/helpers/http-client.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts a demo server as `node --import tsx <entry>` on a free port and waits for its start-up text. */
async function startDemo(entry: string): Promise<{ origin: string; output: () => string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const origin = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/u.exec(output);
      if (match?.[1] !== undefined && output.includes('Members only')) resolve(match[1]);
    };
    child.stdout.on('data', check);
    void exited.then((code) => { reject(new Error(`demo exited (${String(code)}): ${output}`)); });
  });
  return {
    origin,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('the demo servers (npm run demo)', () => {
  for (const [framework, entry] of [['Express', 'examples/express/server.ts'], ['Fastify', 'examples/fastify/server.ts']] as const) {
    it(`${framework}: starts on 127.0.0.1, prints a URL per sample config, serves them, and stops on SIGTERM`, async () => {
      const demo = await startDemo(entry);
      try {
        const anon = /(http:\/\/127\.0\.0\.1:\d+\/cast\/anon-[A-Za-z0-9]+)\n/u.exec(demo.output())?.[1];
        expect(anon).toBeDefined();
        const page = await send(anon!, '');
        expect(page.status).toBe(200);
        expect(page.body).toContain('Your session is ready');
        expect(page.body).toContain('Guard trace');
        const widget = await send(demo.origin, '/demo-widget.js');
        expect(widget.body).toContain('cf-turnstile-response');
        const index = await send(demo.origin, '/');
        expect(index.body).toContain('Excel reports');
        expect(index.body).toContain('createMemoryStores().sessions');
      } finally {
        expect(await demo.stop()).toBe(0);
      }
    });
  }
});
