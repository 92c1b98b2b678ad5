import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * How the fake provider answers one request. `body` is sent as JSON unless it is a string (then
 * as is). `hang: 'headers'` never answers; `hang: 'body'` sends the status and a partial body, then
 * stalls. `destroy` drops the connection without any reply. `chunked` omits `content-length`.
 */
export interface FakeReply {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly hang?: 'headers' | 'body';
  readonly destroy?: boolean;
  readonly chunked?: boolean;
}

/** One request the fake received, with its form body decoded. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly form: URLSearchParams;
}

/** A real HTTP server on 127.0.0.1 that answers like a siteverify endpoint and records what it got. */
export interface SiteverifyServer {
  /** The endpoint URL, e.g. `http://127.0.0.1:39211/siteverify`. */
  readonly url: string;
  /** Every request received since the last `reset`, in order. */
  readonly received: readonly ReceivedRequest[];
  /** Sets the reply used when no one-off reply is queued. */
  reply(reply: FakeReply): void;
  /** Queues a reply for the next request only. */
  replyOnce(reply: FakeReply): void;
  /** Forgets received requests and queued replies; the default reply becomes `{ success: true }`. */
  reset(): void;
  /** Drops every open connection and stops listening. */
  close(): Promise<void>;
}

/** A successful reply in the shape all three providers share. */
export function successBody(fields: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { success: true, challenge_ts: new Date().toISOString(), hostname: 'cast.example.com', 'error-codes': [], ...fields };
}

/**
 * Starts a fake siteverify provider on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * ```ts
 * const provider = await startSiteverifyServer();
 * provider.replyOnce({ body: { success: false, 'error-codes': ['timeout-or-duplicate'] } });
 * await provider.close();
 * ```
 */
export async function startSiteverifyServer(): Promise<SiteverifyServer> {
  const received: ReceivedRequest[] = [];
  const queue: FakeReply[] = [];
  let fallback: FakeReply = { body: successBody() };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        rawBody,
        form: new URLSearchParams(rawBody),
      });
      answer(queue.shift() ?? fallback, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/siteverify`,
    received,
    reply(reply) {
      fallback = reply;
    },
    replyOnce(reply) {
      queue.push(reply);
    },
    reset() {
      received.length = 0;
      queue.length = 0;
      fallback = { body: successBody() };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

function answer(reply: FakeReply, response: ServerResponse): void {
  if (reply.destroy === true) {
    response.socket?.destroy();
    return;
  }
  if (reply.hang === 'headers') return;
  const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? null);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...reply.headers };
  if (reply.chunked !== true && reply.hang === undefined) headers['content-length'] = String(Buffer.byteLength(body));
  response.writeHead(reply.status ?? 200, headers);
  if (reply.hang === 'body') {
    response.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))));
    return;
  }
  if (reply.chunked === true) {
    for (let offset = 0; offset < body.length; offset += 1024) response.write(body.slice(offset, offset + 1024));
    response.end();
    return;
  }
  response.end(body);
}

/**
 * Starts a fake siteverify server for the test file that calls it (in `beforeAll`), resets it and
 * calls `prepare` before each test, and closes it in `afterAll`. The handle delegates to the
 * running server, so a file can hold it in a `const`.
 */
export function useSiteverifyServer(prepare?: (server: SiteverifyServer) => void): SiteverifyServer {
  let running: SiteverifyServer | undefined;
  const current = (): SiteverifyServer => {
    if (running === undefined) throw new Error('the fake siteverify server is not running (use it inside a test)');
    return running;
  };
  beforeAll(async () => {
    running = await startSiteverifyServer();
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(() => {
    current().reset();
    prepare?.(current());
  });
  return {
    get url() {
      return current().url;
    },
    get received() {
      return current().received;
    },
    reply: (reply) => {
      current().reply(reply);
    },
    replyOnce: (reply) => {
      current().replyOnce(reply);
    },
    reset: () => {
      current().reset();
    },
    close: () => current().close(),
  };
}
