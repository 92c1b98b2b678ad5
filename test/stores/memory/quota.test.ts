import { describe, expect, it } from 'vitest';
import { createMemoryQuotaStore, createMemoryStores } from '../../../src/stores/memory/index.js';
import { describeQuotaStore } from '../../contracts/quota-store.js';

describeQuotaStore('memory', () => createMemoryQuotaStore());
describeQuotaStore('memory (through createMemoryStores)', () => createMemoryStores().quota);

describe('memory quota store', () => {
  it('forgets the oldest outstanding reservation past maxReservations: its late give-back adds nothing', async () => {
    const quota = createMemoryQuotaStore({ maxReservations: 2 });
    const reservations: string[] = [];
    for (let i = 0; i < 3; i++) {
      const taken = await quota.take({ configKey: 'c', initial: 10 });
      if (!taken.ok) throw new Error('expected a unit');
      reservations.push(taken.reservation);
    }
    await quota.giveBack({ configKey: 'c', reservation: reservations[0]! });
    expect(await quota.remaining('c')).toBe(7);
    await quota.giveBack({ configKey: 'c', reservation: reservations[2]! });
    expect(await quota.remaining('c')).toBe(8);
  });
});

