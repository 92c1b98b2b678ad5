// Real HTTP for the adapter tests: node:http (it sends any header, Referer and X-Forwarded-For
// included) and a raw node:net socket for what no client library sends (two Referer lines).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/**
 * An answer as the test client saw it.
 *
 * @example
 * ```ts
 * const answer: TestAnswer = await send(origin, '/cast/unknown-key-0123456789');
 * ```
 */
export interface TestAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Sends one request over a fresh connection (no keep-alive, so servers close promptly) and reads
 * the whole answer. Rejects on a network error.
 *
 * @example
 * ```ts
 * const answer = await send('http://127.0.0.1:3000', '/cast/k', { headers: { referer: 'https://example.com/' } });
 * ```
 */
export function send(
  origin: string,
  path: string,
  options: {
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly form?: Readonly<Record<string, string>>;
    /** A raw body, sent as it is (with the given headers only). */
    readonly body?: string | Buffer;
  } = {},
): Promise<TestAnswer> {
  const body = options.body ?? (options.form === undefined ? undefined : new URLSearchParams(options.form).toString());
  const headers: Record<string, string> = {};
  if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  Object.assign(headers, options.headers);
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, origin), { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends a hand-written HTTP/1.1 request over a raw socket (header lines exactly as given, repeated
 * names included) and answers the status code and the raw answer text.
 *
 * @example
 * ```ts
 * const { status } = await sendRaw(port, '/cast/k', ['Referer: https://a.example/', 'Referer: https://b.example/']);
 * ```
 */
export function sendRaw(port: number, path: string, headerLines: readonly string[], method = 'GET'): Promise<{ readonly status: number; readonly text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write([`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headerLines, 'Connection: close', '', ''].join('\r\n'));
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3})/u.exec(text)?.[1];
      resolve({ status: status === undefined ? 0 : Number(status), text });
    });
  });
}
