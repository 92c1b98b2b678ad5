import type { CastConfig } from '../config/schema.js';
import type { CastError, GuardTrace } from '../contract/decision.js';
import type { LaunchPlan } from '../contract/launch-plan.js';
import type { CastRequest } from '../contract/request.js';
import type { CaptchaVerifier, CastStores, LeaseStore, QuotaStore, RateLimitStore, SessionProvisioner } from '../contract/stores.js';
import { evaluateCast, type EvaluateCastOptions } from './evaluate.js';

/**
 * What {@link explainCast} answers: the decision that would be made, without a session, a
 * `decisionId` or anything taken.
 *
 * @example
 * ```ts
 * import type { CastExplanation } from 'castgate';
 * const verdict = (e: CastExplanation) => (e.allowed ? e.outcome : e.error.code);
 * ```
 */
export type CastExplanation =
  | {
      readonly allowed: true;
      readonly outcome: 'created' | 'resumed';
      readonly launch: LaunchPlan;
      readonly trace: readonly GuardTrace[];
      readonly error?: never;
      readonly redirectUrl?: never;
    }
  | {
      readonly allowed: false;
      readonly error: CastError;
      /** Where the visitor would be sent (the config's `errorUrl`), as the decision would carry it. */
      readonly redirectUrl?: string;
      readonly trace: readonly GuardTrace[];
      readonly outcome?: never;
      readonly launch?: never;
    };

/** The trace notes of a dry run, by guard. */
const dryRunNotes = {
  rateLimit: 'dry run: peeked, nothing taken',
  quota: 'dry run: read, nothing taken',
  captcha: 'not verified: dry run',
  provision: 'not provisioned: dry run',
} as const;

type SimulatedGuard = keyof typeof dryRunNotes;

/** Read-only stand-ins for the stores: reads go through, every write is answered from a read or not made. */
function readOnlyStores(stores: CastStores, simulated: Set<SimulatedGuard>): CastStores {
  const { rateLimit, quota, sessions, leases } = stores;
  const dryRateLimit: RateLimitStore = {
    async take(input) {
      simulated.add('rateLimit');
      const peeked = await rateLimit.peek(input);
      return peeked.full ? { ok: false, retryAfterMs: peeked.retryAfterMs } : { ok: true, reservation: 'dry-run' };
    },
    peek: (input) => rateLimit.peek(input),
    giveBack: () => Promise.resolve(),
  };
  const dryQuota: QuotaStore = {
    async take(input) {
      simulated.add('quota');
      const left = (await quota.remaining(input.configKey)) ?? input.initial;
      return left > 0 ? { ok: true, reservation: 'dry-run', remaining: left - 1 } : { ok: false };
    },
    giveBack: () => Promise.resolve(),
    remaining: (configKey) => quota.remaining(configKey),
    setRemaining: () => Promise.resolve(),
  };
  const drySessions: SessionProvisioner = {
    findRunning: (input) => sessions.findRunning(input),
    provision({ plan }) {
      simulated.add('provision');
      return Promise.resolve({ id: 'dry-run', userId: plan.user.id ?? 'dry-run' });
    },
  };
  const dryCaptcha: CaptchaVerifier = {
    verify() {
      simulated.add('captcha');
      return Promise.resolve({ success: true });
    },
  };
  const result: { -readonly [K in keyof CastStores]: CastStores[K] } = { rateLimit: dryRateLimit, quota: dryQuota, sessions: drySessions, captcha: dryCaptcha };
  if (leases !== undefined) {
    // A LeaseStore cannot be peeked: a dry run assumes a live slot is free and holds nothing.
    const dryLeases: LeaseStore = {
      acquire: () => Promise.resolve({ ok: true }),
      renew: () => Promise.resolve(false),
      release: () => Promise.resolve(false),
      bind: () => Promise.resolve(),
      boundTo: (input) => leases.boundTo(input),
    };
    result.leases = dryLeases;
  }
  return result;
}

function annotated(trace: readonly GuardTrace[], simulated: ReadonlySet<SimulatedGuard>): GuardTrace[] {
  return trace.map((entry) => {
    if (!simulated.has(entry.guard as SimulatedGuard) || entry.verdict !== 'pass') return entry;
    const note = dryRunNotes[entry.guard as SimulatedGuard];
    return { ...entry, note: entry.note === undefined ? note : `${entry.note}; ${note}` };
  });
}

/**
 * The decision `evaluateCast` would make, with nothing taken or created (SPEC §12; `redirectUrl`
 * included when the config has `errorUrl`): the rate limit
 * is peeked and the quota read (`remaining`), the captcha verifier and the provisioner's `provision`
 * are never called (the trace says "not verified: dry run" and "not provisioned: dry run"), and the
 * stores are exactly as before. No `onDecision` event, no `decisionId`. A live-session limit is not
 * checked (a lease store cannot be peeked). Rejects only for programmer errors, as `evaluateCast`.
 *
 * @example
 * ```ts
 * import { createMemoryStores, explainCast, parseCastConfig } from 'castgate';
 * const config = parseCastConfig({ name: 'Demo', key: 'demo-0123456789abcdef', imageId: 'chrome', allowAnonymous: true, sessionsRemaining: 1 });
 * const explanation = await explainCast(config, { ip: '203.0.113.9' }, createMemoryStores());
 * console.log(explanation.allowed, explanation.trace.map((t) => `${t.guard}:${t.verdict}`).join(' '));
 * ```
 */
export async function explainCast(config: CastConfig, request: CastRequest, stores: CastStores, options: EvaluateCastOptions = {}): Promise<CastExplanation> {
  const forwarded: { -readonly [K in keyof EvaluateCastOptions]: EvaluateCastOptions[K] } = { ...options };
  delete forwarded.onDecision;
  const given = stores as Partial<CastStores> | null;
  if (typeof given !== 'object' || given === null || typeof given.rateLimit !== 'object' || typeof given.quota !== 'object' || typeof given.sessions !== 'object') {
    throw new TypeError('castgate: stores must be { rateLimit, quota, sessions, captcha? }');
  }
  const simulated = new Set<SimulatedGuard>();
  const decision = await evaluateCast(config, request, readOnlyStores(stores, simulated), forwarded);
  const trace = annotated(decision.trace, simulated);
  return decision.allowed
    ? { allowed: true, outcome: decision.outcome, launch: decision.launch, trace }
    : decision.redirectUrl === undefined
      ? { allowed: false, error: decision.error, trace }
      : { allowed: false, error: decision.error, redirectUrl: decision.redirectUrl, trace };
}
