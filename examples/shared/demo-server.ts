import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { CastConfig } from 'castgate';
import type { CastCaptchaWidget } from 'castgate/http';
import { demoExamples, formatDemoGuide, type DemoExample } from './demo-guide.js';

/**
 * The address the demo listens on: 127.0.0.1 and `PORT` (default 3000). Throws a `RangeError` for
 * a `PORT` that is not a whole number from 0 to 65535.
 *
 * @example
 * ```ts
 * const { host, port } = demoAddress(process.env);
 * ```
 */
export function demoAddress(env: Readonly<Record<string, string | undefined>>): { readonly host: string; readonly port: number } {
  const raw = env.PORT ?? '3000';
  const port = Number(raw);
  if (!/^\d{1,5}$/u.test(raw) || port > 65_535) throw new RangeError('PORT must be a whole number from 0 to 65535');
  return { host: '127.0.0.1', port };
}

/**
 * Prints the demo's start-up text (where it listens, the captcha mode, then every URL to try),
 * makes Ctrl-C close the server, and answers the examples for the index page.
 *
 * @example
 * ```ts
 * const examples = announceDemo(server, 'Express 5', options, captchaMode);
 * ```
 */
export function announceDemo(
  server: Server,
  framework: string,
  options: { readonly configs: readonly CastConfig[]; readonly captcha: CastCaptchaWidget },
  captchaMode: string,
): DemoExample[] {
  const { address, port } = server.address() as AddressInfo;
  const origin = `http://${address}:${port}`;
  const examples = demoExamples(origin, options.configs, options.captcha);
  console.log(`castgate demo (${framework}) on ${origin}  (in-memory stores, no real desktop; Ctrl-C to stop)`);
  console.log(captchaMode);
  console.log('signed-in users: the demo reads the x-demo-user header (demo only: a real host uses its own session)');
  console.log('');
  console.log(formatDemoGuide(origin, examples));
  const stop = () => {
    server.close();
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return examples;
}
