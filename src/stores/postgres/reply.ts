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
