import { describe, expectTypeOf, it } from 'vitest';
import type {
  CastConfig,
  CastDecision,
  CastError,
  CastErrorCode,
  GuardTrace,
  LaunchPlan,
  RemoteAppArgsResult,
  SafeParseCastConfigResult,
} from '../src/index.js';
import { castErrorStatus, evaluateCast, parseCastConfig } from '../src/index.js';

// Compile-time promises of the public types (checked by `tsc --noEmit` in npm test).
describe('public types', () => {
  it('narrows a decision on `allowed`, and lets error?.code be read without narrowing', () => {
    const check = (decision: CastDecision) => {
      expectTypeOf(decision.error?.code).toEqualTypeOf<CastErrorCode | undefined>();
      if (decision.allowed) {
        expectTypeOf(decision.launch).toEqualTypeOf<LaunchPlan>();
        expectTypeOf(decision.outcome).toEqualTypeOf<'created' | 'resumed'>();
      } else {
        expectTypeOf(decision.error).toEqualTypeOf<CastError>();
        expectTypeOf(decision.redirectUrl).toEqualTypeOf<string | undefined>();
      }
      expectTypeOf(decision.trace).toEqualTypeOf<readonly GuardTrace[]>();
    };
    expectTypeOf(check).parameter(0).toEqualTypeOf<CastDecision>();
  });

  it('infers CastConfig from the schema, with validUntil as a Date and defaults filled', () => {
    expectTypeOf(parseCastConfig).returns.toEqualTypeOf<CastConfig>();
    expectTypeOf<CastConfig['validUntil']>().toEqualTypeOf<Date | undefined>();
    expectTypeOf<CastConfig['allowResume']>().toEqualTypeOf<boolean>();
    expectTypeOf<CastConfig['allowedReferrers']>().toEqualTypeOf<string[]>();
  });

  it('gives every code a status, and evaluateCast a Promise of a decision', () => {
    expectTypeOf(castErrorStatus).toExtend<Readonly<Record<CastErrorCode, number>>>();
    expectTypeOf(evaluateCast).returns.toEqualTypeOf<Promise<CastDecision>>();
  });

  it('discriminates results with `success` and `ok`', () => {
    const parsed = (result: SafeParseCastConfigResult) => (result.success ? result.config : result.error.issues);
    const built = (result: RemoteAppArgsResult) => (result.ok ? result.commandLine : result.error.parameter);
    expectTypeOf(built).returns.toEqualTypeOf<string>();
    expectTypeOf(parsed).returns.not.toBeAny();
  });
});
