/**
 * castgate: the policy engine for public session-casting links (expiry, referrer allow-list,
 * captcha, per-IP rate limit, session quota, validated URL parameters and quoted RDP RemoteApp
 * arguments). This entry point is the whole core API, grouped below; the Redis stores are
 * `castgate/redis`, the test kit `castgate/testing`. Named re-exports only, nothing is defined here.
 *
 * @packageDocumentation
 */

// Evaluating a cast: the pipeline and its options.

export { evaluateCast, createCastEvaluator } from './engine/evaluate.js';
export type { CastEvaluator, CastEvaluatorOptions, EvaluateCastOptions } from './engine/evaluate.js';
export { explainCast } from './engine/explain.js';
export type { CastExplanation } from './engine/explain.js';
export type { CastDecisionEvent, CastDecisionHook } from './engine/events.js';
export { endCastSession, renewCastSession } from './engine/session-leases.js';
export type { CastSessionRef } from './engine/session-leases.js';

// Guards: the default list, each guard, and the kit for writing your own.
export { defaultGuards } from './guards/index.js';
export {
  authenticationGuard,
  captchaGuard,
  expiryGuard,
  liveSessionsGuard,
  parametersGuard,
  provisionGuard,
  quotaGuard,
  rateLimitGuard,
  referrerGuard,
  resumeGuard,
  signedLinkGuard,
} from './guards/index.js';
export { deny, finish, pass, skip } from './contract/guard.js';
export type { DenyDetails, GiveBack, Guard, GuardContext, GuardName, GuardVerdict } from './contract/guard.js';

// The decision: error codes, statuses and messages; the launch plan; the request.
export { castErrorCodes, castErrorMessages, castErrorStatus } from './contract/decision.js';
export type { CastDecision, CastError, CastErrorCode, GuardDenial, GuardTrace, SessionRef } from './contract/decision.js';
export { allUsersGroupId, clientSettingNames } from './contract/launch-plan.js';
export type { ClientSettingName, ClientSettings, LaunchPlan, LaunchUser, RemoteAppLaunch, SessionOptions } from './contract/launch-plan.js';
export type { CastRequest, NormalizedRequest } from './contract/request.js';
export type { CastQuery } from './contract/query.js';
export type { Clock } from './contract/clock.js';

// Config: parse and validate (camelCase or Kasm's own export), the schema, the errors.
export { isParsedCastConfig, parseCastConfig, safeParseCastConfig } from './config/parse.js';
export { configInputLimits } from './config/prepass.js';
export type { InputLimits } from './config/prepass.js';
export type { ParseCastConfigOptions, SafeParseCastConfigResult } from './config/parse.js';
export { CastConfigError, castConfigIssueCodes, formatConfigPath, isCastConfigError } from './config/errors.js';
export type { CastConfigIssue, CastConfigIssueCode } from './config/errors.js';
export { fromKasmCastConfig, kasmImportWarningCodes } from './config/kasm.js';
export type { FromKasmCastConfigOptions, KasmImportWarning, KasmImportWarningCode } from './config/kasm.js';
export { castConfigJsonSchema } from './config/json-schema.js';
export { castConfigSchema } from './config/schema.js';
export type { CastConfig, CastConfigInput, RemoteAppConfig, RemoteAppConfigInput } from './config/schema.js';

// Remote app arguments: URL parameters to argv and a Windows command line; the pattern engines.
export { buildRemoteAppArgs, maxCommandLineLength, remoteAppParameterMessage } from './remote-app/build.js';
export type { BuildRemoteAppArgsOptions, RemoteAppArgsResult } from './remote-app/build.js';
export { joinWindowsCommandLine, parseWindowsCommandLine, quoteWindowsArg } from './remote-app/windows-quote.js';
export type { ParseWindowsCommandLineOptions, WindowsCommandLineDialect } from './remote-app/windows-quote.js';
export { isRe2Available, maxPatternLength, re2Engine, re2jsEngine, regexEngineName } from './remote-app/pattern.js';
export type { PatternMatcher, RegexEngine } from './remote-app/pattern.js';

// Stores: the in-memory backend, and the interfaces every backend implements.
export { createMemoryLeaseStore, createMemoryProvisioner, createMemoryQuotaStore, createMemoryRateLimitStore, createMemoryStores } from './stores/memory/index.js';
export type {
  MemoryLeaseStore,
  MemoryProvisionerOptions,
  MemoryQuotaOptions,
  MemoryRateLimitOptions,
  MemoryRateLimitStore,
  MemorySession,
  MemorySessionProvisioner,
  MemoryStores,
  MemoryStoresOptions,
} from './stores/memory/index.js';
export type {
  AdmissionInput,
  AdmissionResult,
  AdmissionStore,
  LeaseBinding,
  LeaseRef,
  LeaseStore,
  CaptchaResult,
  CaptchaVerifier,
  CastStores,
  QuotaStore,
  RateLimitInput,
  RateLimitStore,
  SessionProvisioner,
} from './contract/stores.js';

// Captcha verifiers: one per provider, and their errors.
export { hcaptchaVerifier } from './captcha/hcaptcha.js';
export type { HcaptchaVerifierOptions } from './captcha/hcaptcha.js';
export { recaptchaVerifier } from './captcha/recaptcha.js';
export type { RecaptchaVerifierOptions } from './captcha/recaptcha.js';
export { turnstileVerifier } from './captcha/turnstile.js';
export type { TurnstileVerifierOptions } from './captcha/turnstile.js';
export type { CaptchaFetch, CaptchaVerifierOptions } from './captcha/options.js';
export { CaptchaUnavailableError, captchaUnavailableReasons, isCaptchaUnavailableError } from './captcha/errors.js';
export type { CaptchaProvider, CaptchaUnavailableReason } from './captcha/errors.js';
export { captchaTokenLengthCeiling, isPlausibleCaptchaToken } from './captcha/token.js';

// Signed links: tokens that carry a link's parameters and expiry.
export { signCastLink } from './signed-links/sign.js';
export type { CastLinkGrant, CastLinkSigningKey } from './signed-links/sign.js';

// HTTP glue: a decision as status, headers and body.
export { toHttpResponse } from './engine/http-response.js';
export type { CastHttpBody, CastHttpResponse } from './engine/http-response.js';
