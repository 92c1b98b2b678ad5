import { re2Engine } from 'castgate';
import { round } from '../harness.js';

const pattern = '^(?:(a+)+$)$';

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * RE2 (castgate's engine) against JavaScript's backtracking RegExp on the catastrophic pattern `(a+)+$`
 * with hostile inputs `'a' * n + '!'`: RE2 grows linearly; RegExp doubles with each character and is
 * stopped once one input takes longer than `regexpCapMs`.
 */
export function benchRegex(smoke: boolean) {
  const re2 = re2Engine(pattern);
  const regexp = new RegExp(pattern, 'u');
  const re2Lengths = smoke ? [1_000, 10_000] : [1_000, 10_000, 50_000, 100_000, 200_000, 400_000];
  const regexpLengths = smoke ? [10, 14] : [10, 14, 18, 20, 22, 24, 25, 26, 27, 28];
  const regexpCapMs = smoke ? 50 : 2_000;
  const re2Curve: [number, number][] = [];
  for (const n of re2Lengths) {
    const value = `${'a'.repeat(n)}!`;
    re2.test(value);
    const runs = 5;
    let total = 0;
    for (let r = 0; r < runs; r++) total += timeMs(() => { if (re2.test(value)) throw new Error('must not match'); });
    re2Curve.push([n, round(total / runs, 4)]);
  }
  const regexpCurve: [number, number][] = [];
  for (const n of regexpLengths) {
    const value = `${'a'.repeat(n)}!`;
    const ms = timeMs(() => { if (regexp.test(value)) throw new Error('must not match'); });
    regexpCurve.push([n, round(ms, 4)]);
    if (ms > regexpCapMs) break;
  }
  return { re2: re2Curve, regexp: regexpCurve };
}
