// fast-check arbitraries shared by the remote-app tests.
import fc from 'fast-check';

/** The hostile alphabet of THREATS §6: quoting metacharacters, cmd and expansion characters, non-ASCII. */
export const hostileUnits = ['\\', '"', ' ', '\t', 'a', '%', '^', '&', 'é', '😀'] as const;

/** Strings over {@link hostileUnits}. */
export const hostileString = fc.array(fc.constantFrom(...hostileUnits), { maxLength: 24 }).map((units) => units.join(''));

/** Any well-formed string without control characters (U+0000–U+001F, U+007F). */
// eslint-disable-next-line no-control-regex
export const stringWithoutControl = fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !/[\u0000-\u001f\u007f]/u.test(s));

/** An argv of hostile or arbitrary strings without control characters. */
export const argvArbitrary = fc.array(fc.oneof(hostileString, stringWithoutControl), { maxLength: 8 });
