import { randomBytes } from 'node:crypto';

const digits = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Makes reservation ids unique across processes: 8 random characters per store (48 bits) then a
 * base-36 counter, whose last character the scripts use to trim one take in eight. Ids hold only
 * `[0-9A-Za-z_-]`. The counter's last digit comes from a table, so an id costs one number-to-text
 * conversion per 36 ids, not one per id (the hot path makes one per decision).
 */
export function createReservationIds(): () => string {
  const instance = randomBytes(6).toString('base64url');
  let block = 0;
  let head = `${instance}0`;
  let last = 1;
  return () => {
    if (last === digits.length) {
      last = 0;
      head = instance + (++block).toString(36);
    }
    return head + (digits[last++] as string);
  };
}
