/**
 * A script's integer reply as a safe integer, however the client hands it over: a number (the
 * default), a string (ioredis `stringNumbers: true`, or a client mapping RESP3 numbers to strings) or
 * a bigint; `undefined` for anything else (the store then gives back what the script took).
 */
export function integerOf(reply: unknown): number | undefined {
  let value: number;
  if (typeof reply === 'number') value = reply;
  else if (typeof reply === 'string') value = reply.length > 0 && reply.length <= 20 ? Number(reply) : Number.NaN;
  else if (typeof reply === 'bigint') value = Number(reply);
  else if (reply instanceof Uint8Array) return integerOf(new TextDecoder().decode(reply));
  else return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}
