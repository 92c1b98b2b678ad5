/**
 * Where an evaluator reads the time when a request carries no `now`. Injected, so tests never fake timers.
 *
 * @example
 * ```ts
 * import { createCastEvaluator, type Clock } from 'castgate';
 * const frozen: Clock = () => new Date('2030-01-01T00:00:00Z');
 * const evaluate = createCastEvaluator({ clock: frozen });
 * ```
 */
export type Clock = () => Date;

/** The system clock. */
export const systemClock: Clock = () => new Date();
