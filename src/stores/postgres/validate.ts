/** The largest value of PostgreSQL's `integer`, the type of a limit. */
const maxLimit = 2_147_483_647;

/** True for a count a quota can hold: a non-negative safe integer. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** A `TypeError` for a rate-limit or lease input whose numbers cannot be counted with, else `undefined`. */
export function invalidWindowInput(what: string, input: { limit: number; windowMs: number; nowMs: number }): TypeError | undefined {
  const { limit, windowMs, nowMs } = input;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > maxLimit) return new TypeError(`castgate/postgres: ${what} \`limit\` must be a positive integer`);
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    return new TypeError(`castgate/postgres: ${what} \`windowMs\` must be a positive number`);
  }
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) return new TypeError(`castgate/postgres: ${what} \`nowMs\` must be a finite number`);
  return undefined;
}

/** A number the server answered (node-postgres and postgres.js give `bigint` columns as strings, PGlite as `bigint`), or `undefined`. */
export function readNumber(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : typeof value === 'bigint' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The first row of an answer as an object, or `undefined`. */
export function firstRow(rows: readonly unknown[]): Record<string, unknown> | undefined {
  const row = rows[0];
  return typeof row === 'object' && row !== null ? (row as Record<string, unknown>) : undefined;
}
