import { randomBytes } from 'node:crypto';

// Decision ids (SPEC §12: "a unique string, e.g. a UUID"). A `randomUUID()` per decision cost more
// than a memory store's whole call, so an id is a random per-process prefix and a counter, laid out
// as a UUID (version 4, RFC variant) for hosts that store it in a `uuid` column: unique within the
// process by the counter, and across processes by the 90 random bits before it. It is a correlation
// id, not a secret: nothing is authorised by knowing one.

// The counter's 8 hex digits run from 0x10000000 (no padding needed) to 0x3fffffff (a small integer
// for V8, so formatting it is cheap); then a fresh prefix is drawn.
const counterStart = 0x10000000;
const counterEnd = 0x40000000;
let prefix = '';
let counter = counterEnd;
/** The prefix and the counter's first six hex digits, which change once every 256 ids. */
let head = '';
/** The two hex digits of every byte, so most ids format no number. */
const lowDigits: readonly string[] = /* @__PURE__ */ Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Draws a fresh random prefix: `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxx`. */
function reseed(): void {
  const bytes = randomBytes(12);
  const hex = bytes.toString('hex');
  const variant = (((bytes[11] ?? 0) & 0x3) | 0x8).toString(16);
  prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-${variant}${hex.slice(15, 18)}-${hex.slice(18, 22)}`;
  counter = counterStart;
  head = prefix + (counter >>> 8).toString(16);
}

/** The next decision id: UUID-shaped, unique within the process and, by its random prefix, across processes. */
export function nextDecisionId(): string {
  if (++counter >= counterEnd) reseed();
  const low = counter & 0xff;
  if (low === 0) head = prefix + (counter >>> 8).toString(16);
  return head + (lowDigits[low] as string);
}
