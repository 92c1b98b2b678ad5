import { randomBytes } from 'node:crypto';

/**
 * Makes reservation ids unique across processes: 8 random characters per store (48 bits) then a
 * base-36 counter, whose last character the scripts use to trim one take in eight. Ids hold only
 * `[0-9A-Za-z_-]`.
 */
export function createReservationIds(): () => string {
  const instance = randomBytes(6).toString('base64url');
  let sequence = 0;
  return () => instance + (++sequence).toString(36);
}
