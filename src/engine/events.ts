import type { CastDecision, CastErrorCode, GuardTrace } from '../contract/decision.js';
import { clientAddressOf } from '../net/client-key.js';
import { replaceControlCharacters } from '../net/control-characters.js';

/**
 * What `onDecision` receives once per decision (SPEC §12): the decision's id, the config key, the
 * client masked to its network (IPv4 → /24, IPv6 → /48, `"invalid"` for an unusable address), whether
 * the request was anonymous, the outcome or error code, the HTTP status (200 when allowed), how long
 * the decision took and its trace. Never the raw address, a token, a secret or a user id.
 *
 * @example
 * ```ts
 * import type { CastDecisionEvent } from 'castgate';
 * const line = (e: CastDecisionEvent) => `${e.decisionId} ${e.configKey} ${e.client} ${e.code ?? e.outcome} ${e.durationMs.toFixed(1)}ms`;
 * ```
 */
export interface CastDecisionEvent {
  readonly decisionId: string;
  readonly configKey: string;
  readonly client: string;
  readonly anonymous: boolean;
  readonly allowed: boolean;
  readonly outcome?: 'created' | 'resumed';
  readonly code?: CastErrorCode;
  readonly status: number;
  readonly durationMs: number;
  readonly trace: readonly GuardTrace[];
}

/**
 * The evaluator option `onDecision`: called once per decision, after it is made and before the
 * evaluation resolves. Whatever it does (throw, reject, never settle) changes and delays nothing.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, type CastDecisionHook } from 'castgate';
 * const log: CastDecisionHook = (event) => { console.log(JSON.stringify(event)); };
 * const evaluate = createCastEvaluator({ onDecision: log });
 * ```
 */
export type CastDecisionHook = (event: CastDecisionEvent) => void | Promise<void>;

/** The client as an event shows it: its /24 (IPv4) or /48 (IPv6, compressed), or `"invalid"`. */
export function maskClient(raw: unknown): string {
  const address = clientAddressOf(raw, 48);
  if (address === null) return 'invalid';
  if (address.key.startsWith('v6:')) return address.key.slice(3);
  const [a, b, c] = address.ip.split('.');
  return `${a ?? '0'}.${b ?? '0'}.${c ?? '0'}.0/24`;
}

/** Whether a request (as the host gave it) is anonymous: no user with a string id. */
function isAnonymous(request: unknown): boolean {
  const user = typeof request === 'object' && request !== null ? (request as { user?: unknown }).user : undefined;
  return typeof user !== 'object' || user === null || typeof (user as { id?: unknown }).id !== 'string';
}

/** Builds the event of a decision; the trace is copied, so a hook cannot change the decision. */
export function decisionEvent(decision: CastDecision, configKey: string, request: unknown, durationMs: number): CastDecisionEvent {
  const client = maskClient(typeof request === 'object' && request !== null ? (request as { ip?: unknown }).ip : undefined);
  const trace = Object.freeze(decision.trace.map((entry) => Object.freeze({ ...entry })));
  const common = { decisionId: decision.decisionId, configKey, client, anonymous: isAnonymous(request), durationMs, trace };
  return decision.allowed
    ? { ...common, allowed: true, outcome: decision.outcome, status: 200 }
    : { ...common, allowed: false, code: decision.error.code, status: decision.error.status };
}

/** Calls the hook; a throw or a rejection is swallowed, and nothing waits for it. */
export function notifyDecision(hook: CastDecisionHook, event: CastDecisionEvent): void {
  try {
    const result: unknown = hook(event);
    if (typeof result === 'object' && result !== null && typeof (result as { then?: unknown }).then === 'function') {
      (result as PromiseLike<unknown>).then(undefined, () => undefined);
    }
  } catch {
    // A broken hook never changes a decision.
  }
}

const maxFailureLength = 200;

/**
 * Names a store, verifier or provisioner failure for a trace note: `Name: message`, on one line, at
 * most 200 characters, with credentials in URLs, `password=`/`secret=`/`token=`-style values and the
 * given request values (address, user id, captcha token) replaced, so no secret reaches a trace.
 */
export function describeFailure(error: unknown, scrub: readonly (string | undefined | null)[] = []): string {
  let name = 'Error';
  let message: string;
  if (error instanceof Error) {
    name = typeof error.name === 'string' && error.name !== '' ? error.name : 'Error';
    message = typeof error.message === 'string' ? error.message : '';
  } else {
    name = error === null ? 'null' : typeof error;
    message = typeof error === 'string' ? error : '';
  }
  let text = message === '' ? name : `${name}: ${message}`;
  for (const value of scrub) {
    if (typeof value === 'string' && value.length >= 4) text = text.split(value).join('[redacted]');
  }
  text = replaceControlCharacters(text, ' ')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/giu, '$1[redacted]@')
    .replace(/\b(pass(?:word)?|pwd|secret|token|api[-_]?key|auth(?:orization)?|key)(\s*[=:]\s*)[^\s&,;]+/giu, '$1$2[redacted]');
  return text.length > maxFailureLength ? `${text.slice(0, maxFailureLength - 1)}…` : text;
}
