/**
 * How strictly an ISO 8601 instant is read. `strict` (configs): extended format, `T` and `Z` in
 * upper case, an offset written `±HH:MM`. `lenient` (what a captcha provider sends): also a lower
 * case `t`/`z` and an offset written `±HHMM`. Both need an offset; seconds and a fraction (up to nine
 * digits, read to the millisecond, truncated) are optional.
 */
export type IsoInstantSyntax = 'strict' | 'lenient';

/** Why a string is not an instant: not ISO 8601 at all, no offset, or fields that do not exist. */
export type IsoInstantProblem = 'not_iso' | 'no_offset' | 'not_a_real_time';

const strictInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/u;
const lenientInstant = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/u;
const withoutOffset = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/u;

/** Days in a month (1-12) of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/**
 * Reads an ISO 8601 instant that carries an offset (`2030-01-01T00:00:00Z`,
 * `2030-03-10T02:30:00-05:00`) as epoch milliseconds, checking every field itself: `Date.parse`
 * reads a time without an offset as local time and rolls `2030-02-30` over to March, and date-fns
 * `parseISO` accepts `24:00` and basic-format times and loses a millisecond on some fractions
 * (`1970-01-01T00:00:01.001Z`). Answers the milliseconds, or why the string is not an instant.
 */
export function parseIsoInstant(raw: string, syntax: IsoInstantSyntax = 'strict'): number | IsoInstantProblem {
  const match = (syntax === 'strict' ? strictInstant : lenientInstant).exec(raw);
  if (match === null) return withoutOffset.test(raw) ? 'no_offset' : 'not_iso';
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '00', fraction = '', zulu, sign, oh = '00', om = '00'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  const offsetHours = Number(oh);
  const offsetMinutes = Number(om);
  if (
    month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) ||
    hours > 23 || minutes > 59 || seconds > 59 ||
    (zulu === undefined && (offsetHours > 23 || offsetMinutes > 59))
  ) {
    return 'not_a_real_time';
  }
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = zulu === undefined ? (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000 : 0;
  return date.getTime() - offsetMs;
}
