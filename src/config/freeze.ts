/**
 * Copies parsed data into new, deeply frozen objects: plain objects and arrays are rebuilt
 * (properties whose value is `undefined` are left out: what does not apply is absent), each
 * `Date` is a frozen copy, primitives stay as they are. Nothing of the argument is reused or
 * changed. Recursion is fine here: it only sees zod's output, whose depth the schema bounds.
 */
export function freezeFresh<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return Object.freeze(new Date(value.getTime()));
  if (Array.isArray(value)) return Object.freeze(value.map(copy));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) Object.defineProperty(out, key, { value: copy(item), enumerable: true });
  }
  return Object.freeze(out);
}
