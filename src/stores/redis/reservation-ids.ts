import { randomBytes } from 'node:crypto';

/**
 * Makes reservation ids unique across processes: a random id per store (48 bits) and a counter,
 * after an optional time part. Ids hold only `[0-9a-z-]`.
 */
export function createReservationIds(): (nowMs?: number) => string {
  const instance = randomBytes(6).toString('hex');
  let sequence = 0;
  return (nowMs) => {
    const counter = (++sequence).toString(36);
    return nowMs === undefined ? `${instance}-${counter}` : `${Math.trunc(nowMs).toString(36)}-${instance}-${counter}`;
  };
}
