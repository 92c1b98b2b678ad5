import { deadlineSignal } from '../engine/deadline.js';
import { CaptchaUnavailableError, type CaptchaProvider, type CaptchaUnavailableReason } from './errors.js';
import type { CaptchaFetch } from './options.js';

/**
 * The largest siteverify reply read, in bytes. Real replies are a few hundred bytes; a larger one
 * is not a provider talking.
 */
export const maxSiteverifyReplyBytes = 16_384;

/**
 * One siteverify call: where to POST which form, with which `fetch`, within how long, and whether
 * a network error before any reply may be retried once (only with an idempotency key).
 */
export interface SiteverifyCall {
  readonly provider: CaptchaProvider;
  readonly url: string;
  readonly form: URLSearchParams;
  readonly fetch: CaptchaFetch;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly retryOnNetworkError: boolean;
}

/**
 * A siteverify reply that passed the shape check: `success` is a real boolean, `errorCodes` holds
 * the strings of the provider's `error-codes` (absent when it sent none), and `fields` is the whole
 * JSON object for the provider-specific checks.
 */
export interface SiteverifyReply {
  readonly success: boolean;
  readonly errorCodes: string[] | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * POSTs a form to a siteverify endpoint and reads its JSON answer, failing closed: it rejects with a
 * {@link CaptchaUnavailableError} on a network error, a timeout (`timeoutMs` covers the whole call,
 * retry and body included), the caller's abort, a non-2xx status (redirects are not followed), a
 * reply over {@link maxSiteverifyReplyBytes}, a body that is not JSON, or JSON that is not an object
 * with a boolean `success`. The secret travels in the body only and no error repeats it.
 */
export async function postSiteverify(call: SiteverifyCall): Promise<SiteverifyReply> {
  const deadline = deadlineSignal(call.timeoutMs, call.signal);
  try {
    return await exchange(call, deadline.signal);
  } finally {
    deadline.clear();
  }
}

/** The call itself, under `signal` (the caller's and the deadline's). */
async function exchange(call: SiteverifyCall, signal: AbortSignal): Promise<SiteverifyReply> {
  const unavailable = (reason: CaptchaUnavailableReason, extra: { status?: number; systemCode?: string } = {}) =>
    new CaptchaUnavailableError({ provider: call.provider, reason, ...extra });
  const whyAborted = () => unavailable(call.signal?.aborted === true ? 'aborted' : 'timeout');

  if (signal.aborted) throw whyAborted();
  const response = await send(call, signal, whyAborted, (error) => unavailable('network', systemCodeOf(error)));
  if (response.status < 200 || response.status > 299) {
    discard(response);
    throw unavailable('http_status', { status: response.status });
  }
  const declaredLength = Number(response.headers.get('content-length') ?? '0');
  if (declaredLength > maxSiteverifyReplyBytes) {
    discard(response);
    throw unavailable('too_large');
  }
  let bytes: Uint8Array | 'too_large';
  try {
    bytes = await readCapped(response, maxSiteverifyReplyBytes);
  } catch (error) {
    // Checked again: the signal may have fired while the body was read.
    if (isAborted(signal)) throw whyAborted();
    throw unavailable('network', systemCodeOf(error));
  }
  if (bytes === 'too_large') throw unavailable('too_large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw unavailable('not_json');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unavailable('bad_reply');
  const fields = parsed as Record<string, unknown>;
  const success = Object.hasOwn(fields, 'success') ? fields['success'] : undefined;
  if (typeof success !== 'boolean') throw unavailable('bad_reply');
  const codes = Object.hasOwn(fields, 'error-codes') ? fields['error-codes'] : undefined;
  return {
    success,
    errorCodes: Array.isArray(codes) ? codes.filter((code): code is string => typeof code === 'string') : undefined,
    fields,
  };
}

async function send(
  call: SiteverifyCall,
  signal: AbortSignal,
  whyAborted: () => CaptchaUnavailableError,
  networkError: (error: unknown) => CaptchaUnavailableError,
): Promise<Response> {
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: call.form.toString(),
    redirect: 'manual',
    signal,
  };
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call.fetch(call.url, init);
    } catch (error) {
      if (signal.aborted) throw whyAborted();
      // A rejected fetch means no reply arrived: safe to repeat once when the provider deduplicates.
      if (!call.retryOnNetworkError || attempt >= 1) throw networkError(error);
    }
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array | 'too_large'> {
  if (response.body === null) return new Uint8Array(0);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(ignore);
      return 'too_large';
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** Releases the connection of a reply we will not read. */
function discard(response: Response): void {
  response.body?.cancel().catch(ignore);
}

function ignore(): void {
  // The body is being thrown away; a failure to cancel it changes nothing.
}

/** The system error code (`ECONNREFUSED`, `UND_ERR_SOCKET`) of a fetch failure, without its message. */
function systemCodeOf(error: unknown): { systemCode?: string } {
  for (let current: unknown = error, depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return { systemCode: code };
    current = (current as { cause?: unknown }).cause;
  }
  return {};
}
