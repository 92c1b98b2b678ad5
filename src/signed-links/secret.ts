/** The fewest bytes a link secret may have: HS256's own key size (RFC 7518 §3.2). */
export const minLinkSecretBytes = 32;

/** A kid: 1 to 128 printable ASCII characters (it travels in every token's header). */
const kidPattern = /^[\x21-\x7e]{1,128}$/u;

/**
 * A link secret as bytes: a string (its UTF-8 bytes) or a `Uint8Array` (copied), at least 32 bytes.
 * Throws a `TypeError` or `RangeError` naming `where` (never the secret) for anything else.
 */
export function linkSecretBytes(secret: unknown, where: string): Uint8Array {
  let bytes: Uint8Array;
  if (typeof secret === 'string') bytes = new TextEncoder().encode(secret);
  else if (secret instanceof Uint8Array) bytes = Uint8Array.from(secret);
  else throw new TypeError(`castgate: ${where} must be a string or a Uint8Array`);
  if (bytes.length < minLinkSecretBytes) throw new RangeError(`castgate: ${where} must be at least ${minLinkSecretBytes} bytes`);
  return bytes;
}

/** Throws a `TypeError` naming `where` unless `kid` is 1 to 128 printable ASCII characters. */
export function checkKid(kid: unknown, where: string): string {
  if (typeof kid !== 'string' || !kidPattern.test(kid)) throw new TypeError(`castgate: ${where} must be 1 to 128 printable ASCII characters`);
  return kid;
}

/**
 * The evaluator option `linkKeys` checked once: a map of kid to secret bytes. Throws for an object
 * that is not one, a bad kid or a short secret.
 */
export function checkLinkKeys(linkKeys: unknown): ReadonlyMap<string, Uint8Array> {
  if (typeof linkKeys !== 'object' || linkKeys === null || Array.isArray(linkKeys)) {
    throw new TypeError('castgate: linkKeys must be an object of kid to secret');
  }
  const keys = new Map<string, Uint8Array>();
  for (const [kid, secret] of Object.entries(linkKeys)) {
    checkKid(kid, 'a linkKeys kid');
    keys.set(kid, linkSecretBytes(secret, `linkKeys["${kid}"]`));
  }
  return keys;
}
