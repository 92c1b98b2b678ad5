import type { CaptchaResult, CaptchaVerifier } from '../contract/stores.js';
import { checkChallengeTime } from './challenge-time.js';
import { CaptchaUnavailableError, type CaptchaProvider } from './errors.js';
import { normalizeHostname } from '../net/host.js';
import type { CaptchaSettings } from './options.js';
import { postSiteverify, type SiteverifyReply } from './siteverify.js';
import { captchaTokenProblem } from './token.js';

/**
 * What makes one provider's verifier different from another's: its name, the `error-codes` that
 * mean our own misconfiguration (the verifier rejects on them, failing closed), what it adds to the
 * form, whether a network error may be retried once, and its own checks on a successful reply
 * (action, score), answering a reason to refuse or `undefined`.
 */
export interface ProviderSpec {
  readonly provider: CaptchaProvider;
  readonly misconfigurationCodes: ReadonlySet<string>;
  readonly retryOnNetworkError: boolean;
  extendForm(form: URLSearchParams): void;
  checkSuccess(reply: SiteverifyReply): string | undefined;
}

/** What the provider meant by refusing a token, in castgate's words. */
const refusalReasons: Readonly<Record<string, string>> = {
  'invalid-input-response': 'the provider found the token invalid',
  'timeout-or-duplicate': 'token expired or already used',
  'invalid-or-already-seen-response': 'token invalid or already used',
  'expired-input-response': 'token expired',
  'already-seen-response': 'token already used',
};

/**
 * Builds a {@link CaptchaVerifier} from checked settings and a provider's specifics. The order of
 * `verify` is: the token pre-check (no network call on failure), the POST, a misconfiguration code
 * (reject), the provider's "no" (resolve `success: false`), then the hostname, the provider's own
 * checks and the `challenge_ts` (each resolving `success: false` with a reason when it fails).
 */
export function createSiteverifyVerifier(settings: CaptchaSettings, spec: ProviderSpec): CaptchaVerifier {
  return {
    async verify({ token, remoteIp, signal }): Promise<CaptchaResult> {
      const problem = captchaTokenProblem(token, settings.maxTokenLength);
      if (problem !== undefined) return { success: false, reason: problem };

      const form = new URLSearchParams({ secret: settings.secret, response: token });
      if (typeof remoteIp === 'string' && remoteIp.length > 0) form.set('remoteip', remoteIp);
      spec.extendForm(form);
      const reply = await postSiteverify({
        provider: spec.provider,
        url: settings.url,
        form,
        fetch: settings.fetch ?? globalThis.fetch,
        timeoutMs: settings.timeoutMs,
        signal,
        retryOnNetworkError: spec.retryOnNetworkError,
      });

      const errorCodes = reply.errorCodes;
      const misconfigured = errorCodes?.filter((code) => spec.misconfigurationCodes.has(code)) ?? [];
      if (misconfigured.length > 0) {
        throw new CaptchaUnavailableError({ provider: spec.provider, reason: 'misconfigured', errorCodes: misconfigured });
      }
      const score = finiteScore(reply);
      const answer = (success: boolean, reason?: string): CaptchaResult => ({
        success,
        ...(errorCodes === undefined ? {} : { errorCodes }),
        ...(score === undefined ? {} : { score }),
        ...(reason === undefined ? {} : { reason }),
      });
      if (!reply.success) return answer(false, refusalReason(errorCodes));

      const nowMs = settings.clock().getTime();
      if (!Number.isFinite(nowMs)) throw new TypeError('castgate: the captcha verifier `clock` returned an invalid Date');
      const refused =
        checkHostname(reply, settings.hostnames) ??
        spec.checkSuccess(reply) ??
        checkChallengeTime(field(reply, 'challenge_ts'), nowMs, settings.maxAgeSeconds);
      return refused === undefined ? answer(true) : answer(false, refused);
    },
  };
}

/**
 * Reads a field of a reply as the provider sent it (own properties only).
 */
export function field(reply: SiteverifyReply, name: string): unknown {
  return Object.hasOwn(reply.fields, name) ? reply.fields[name] : undefined;
}

/**
 * The reply's `score` when it is a finite number, else `undefined` (a string `'0.9'` is not a
 * score).
 */
export function finiteScore(reply: SiteverifyReply): number | undefined {
  const score = field(reply, 'score');
  return typeof score === 'number' && Number.isFinite(score) ? score : undefined;
}

function checkHostname(reply: SiteverifyReply, hostnames: ReadonlySet<string> | undefined): string | undefined {
  if (hostnames === undefined) return undefined;
  const hostname = field(reply, 'hostname');
  const normalized = typeof hostname === 'string' ? normalizeHostname(hostname) : undefined;
  return normalized !== undefined && hostnames.has(normalized) ? undefined : 'token was solved on a hostname that is not allowed';
}

function refusalReason(errorCodes: readonly string[] | undefined): string {
  for (const code of errorCodes ?? []) {
    const reason = Object.hasOwn(refusalReasons, code) ? refusalReasons[code] : undefined;
    if (reason !== undefined) return reason;
  }
  return 'the provider did not accept the token';
}
