import { re2Engine, re2jsEngine, type RegexEngine } from 'castgate';
import { round } from '../harness.js';

const pattern = '^(?:(a+)+$)$';

function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Characters that end a hostile input: each run matches a value the matcher has not seen last. */
const endings = ['!', '#', '%', '&', '~', '='];

/**
 * Mean time of `runs` non-matches per length, after one warm-up call. Every call gets a value the
 * call before it did not (the same length, another last character): castgate's built-in matchers
 * keep their latest answer, and the bench measures matching, not that.
 */
function linearCurve(engine: RegexEngine, lengths: readonly number[]): [number, number][] {
  const matcher = engine(pattern);
  const curve: [number, number][] = [];
  for (const n of lengths) {
    const prefix = 'a'.repeat(n);
    const values = endings.map((ending) => `${prefix}${ending}`);
    matcher.test(values[0]!);
    const runs = values.length - 1;
    let total = 0;
    for (let r = 1; r <= runs; r++) {
      const value = values[r]!;
      total += timeMs(() => { if (matcher.test(value)) throw new Error('must not match'); });
    }
    curve.push([n, round(total / runs, 4)]);
  }
  return curve;
}

/**
 * castgate's two RE2 engines, native `re2` (the default) and pure-JavaScript `re2js` (the fallback
 * where the addon cannot load), against JavaScript's backtracking RegExp on the catastrophic pattern
 * `(a+)+$` with hostile inputs `'a' * n + '!'`: both RE2s grow linearly on the same lengths; RegExp
 * doubles with each character and is stopped once one input takes longer than `regexpCapMs`.
 */
export function benchRegex(smoke: boolean) {
  const lengths = smoke ? [1_000, 10_000] : [1_000, 10_000, 50_000, 100_000, 200_000, 400_000];
  const re2 = linearCurve(re2Engine, lengths);
  const re2js = linearCurve(re2jsEngine, lengths);
  const regexp = new RegExp(pattern, 'u');
  const regexpLengths = smoke ? [10, 14] : [10, 14, 18, 20, 22, 24, 25, 26, 27, 28];
  const regexpCapMs = smoke ? 50 : 2_000;
  const regexpCurve: [number, number][] = [];
  for (const n of regexpLengths) {
    const value = `${'a'.repeat(n)}!`;
    const ms = timeMs(() => { if (regexp.test(value)) throw new Error('must not match'); });
    regexpCurve.push([n, round(ms, 4)]);
    if (ms > regexpCapMs) break;
  }
  return { re2, re2js, regexp: regexpCurve };
}
