import type { RemoteAppConfig } from '../config/schema.js';
import { hasControlCharacter } from '../net/control-characters.js';

/**
 * How strictly URL-supplied argument values are checked: `'default'` refuses only what can never be
 * a sound argument (control characters, ill-formed UTF-16, over-long values); `'strict'` also refuses
 * what survives correct quoting but is dangerous once Windows has split the line.
 */
export type ArgPolicy = RemoteAppConfig['argPolicy'];

/**
 * The longest URL-supplied argument value, in UTF-16 code units; a longer one is `invalid_parameter`.
 */
export const maxArgValueLength = 4096;

/**
 * Why a URL-supplied argument value was refused. For logs and tests: the end-user message stays
 * Kasm's generic one, and nothing here carries the value.
 * - `control_character`: U+0000–U+001F or U+007F.
 * - `ill_formed`: a lone surrogate (not well-formed UTF-16).
 * - `too_long`: more than {@link maxArgValueLength} code units.
 * - `percent` (strict): `%`, which the RDS host expands (`%COMSPEC%`) even inside quotes.
 * - `quote` (strict): `"`, never legal in a Windows file name.
 * - `leading_switch` (strict): starts with `-` or `/`, so the program would read it as a switch.
 * - `dot_dot_segment` (strict): a `..` path segment (or one of only dots and spaces, which Windows
 *   path normalisation may treat alike), also right after a drive letter: `C:..\secret.txt` is
 *   the parent of the current directory on drive C.
 * - `non_ascii` (strict): outside printable ASCII (U+0020–U+007E); an ANSI program's best-fit
 *   mapping can turn fullwidth `＂` into `"` or `¥` into `\` after quoting.
 */
export type ArgValueProblem =
  | 'control_character'
  | 'ill_formed'
  | 'too_long'
  | 'percent'
  | 'quote'
  | 'leading_switch'
  | 'dot_dot_segment'
  | 'non_ascii';

const outsidePrintableAscii = /[^\u0020-\u007e]/u;
// A segment of `..` (then dots and spaces), also after a drive letter: `C:..` is drive-relative.
const dotsAndSpacesSegment = /^(?:[A-Za-z]:)?\.\.[. ]*$/u;
// With the u flag a surrogate range matches only a surrogate that is not part of a pair.
const loneSurrogate = /[\ud800-\udfff]/u;

/**
 * Checks one URL-supplied argument value against the policy (SPEC §5) and names the first problem,
 * or answers `undefined` when the value may be used (its `valuePattern`, if any, is matched
 * separately). Admin-written static values are not checked. It never fails.
 */
export function argValueProblem(value: string, policy: ArgPolicy): ArgValueProblem | undefined {
  if (value.length > maxArgValueLength) return 'too_long';
  if (hasControlCharacter(value)) return 'control_character';
  if (loneSurrogate.test(value)) return 'ill_formed';
  if (policy !== 'strict') return undefined;
  if (value.includes('%')) return 'percent';
  if (value.includes('"')) return 'quote';
  if (value.startsWith('-') || value.startsWith('/')) return 'leading_switch';
  if (outsidePrintableAscii.test(value)) return 'non_ascii';
  if (value.split(/[\\/]/u).some((segment) => dotsAndSpacesSegment.test(segment))) return 'dot_dot_segment';
  return undefined;
}

/**
 * The warning for a URL-supplied value that contains `%` while the policy is not strict: the RDS host
 * expands `%NAME%` in RemoteApp arguments, and quoting cannot stop it. Names the parameter only,
 * never the value. It never fails.
 */
export function percentWarning(parameter: string): string {
  return `URL parameter "${parameter}" contains "%": the RDS host may expand %NAME% environment variables in it`;
}
