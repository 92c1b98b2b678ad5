// The names each entry point exports, sorted: the public surface changes only on purpose (a test
// compares the source entry points with this list, and the packed-tarball test the built ones).
export const publicExports = {
  core: [
    'CaptchaUnavailableError', 'CastConfigError', 'allUsersGroupId', 'authenticationGuard',
    'buildRemoteAppArgs', 'captchaGuard', 'captchaTokenLengthCeiling', 'captchaUnavailableReasons',
    'castConfigIssueCodes', 'castConfigJsonSchema', 'castConfigSchema', 'castErrorCodes', 'castErrorMessages',
    'castErrorStatus', 'clientSettingNames', 'configInputLimits', 'createCastEvaluator',
    'createMemoryLeaseStore', 'createMemoryProvisioner', 'createMemoryQuotaStore', 'createMemoryRateLimitStore',
    'createMemoryStores', 'defaultGuards', 'deny', 'endCastSession', 'evaluateCast', 'expiryGuard',
    'explainCast', 'finish', 'formatConfigPath', 'fromKasmCastConfig', 'hcaptchaVerifier',
    'isCaptchaUnavailableError', 'isCastConfigError', 'isParsedCastConfig', 'isPlausibleCaptchaToken',
    'isRe2Available', 'joinWindowsCommandLine', 'kasmImportWarningCodes', 'liveSessionsGuard',
    'maxCommandLineLength', 'maxPatternLength', 'parametersGuard', 'parseCastConfig', 'parseWindowsCommandLine',
    'pass', 'provisionGuard', 'quotaGuard', 'quoteWindowsArg', 'rateLimitGuard', 're2Engine', 're2jsEngine',
    'recaptchaVerifier', 'referrerGuard', 'regexEngineName', 'remoteAppParameterMessage', 'renewCastSession',
    'resumeGuard', 'safeParseCastConfig', 'signCastLink', 'signedLinkGuard', 'skip', 'toHttpResponse',
    'turnstileVerifier',
  ],
  redis: [
    'RedisStoreError', 'createRedisStores', 'isRedisStoreError',
  ],
  testing: [
    'InjectedFaultError', 'admissionStoreContract', 'createAdmissionStoreDouble', 'createCaptchaVerifierDouble',
    'createFakeCaptchaVerifier', 'createLeaseStoreDouble', 'createQuotaStoreDouble', 'createRateLimitStoreDouble',
    'createSessionProvisionerDouble', 'createStoreDouble', 'createTestClock', 'createTestStores', 'leaseStoreContract',
    'quotaStoreContract', 'rateLimitStoreContract', 'runContract', 'sessionProvisionerContract',
  ],
  http: [
    'castCaptchaScriptUrls', 'castCaptchaTokenFields', 'castFormBodyLimit', 'createCastHttpHandler',
  ],
  express: ['castgateExpress'],
  fastify: ['castgateFastify'],
  fetch: ['createCastFetchHandler'],
  postgres: [
    'PostgresStoreError', 'createPostgresStores', 'isPostgresStoreError', 'postgresMigrationSql',
  ],
  otel: ['castgateTelemetry', 'castgateTelemetryNames'],
};
