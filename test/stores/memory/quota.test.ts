import { describe, expect, it } from 'vitest';
import { createMemoryQuotaStore, createMemoryStores } from '../../../src/stores/memory/index.js';
import { quotaStoreContract, runContract } from '../../../src/testing/index.js';

describe('QuotaStore contract: memory', () => {
  runContract(quotaStoreContract, () => createMemoryQuotaStore(), it);
});
describe('QuotaStore contract: memory (through createMemoryStores)', () => {
  runContract(quotaStoreContract, () => createMemoryStores().quota, it);
});

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

  it("gives nothing back for another key's reservation, a forged one or a repeated one", async () => {
    const quota = createMemoryQuotaStore();
    const a = await quota.take({ configKey: 'a', initial: 5 });
    const b = await quota.take({ configKey: 'b', initial: 5 });
    if (!a.ok || !b.ok) throw new Error('expected units');
    await quota.giveBack({ configKey: 'b', reservation: a.reservation });
    for (const forged of ['', '1', '0.1', `${b.reservation}0`, `${b.reservation.split('.')[0]}.2`, `${b.reservation.split('.')[0]}.-1`, 'x.1']) {
      await quota.giveBack({ configKey: 'b', reservation: forged });
    }
    expect(await quota.remaining('b')).toBe(4);
    await quota.giveBack({ configKey: 'b', reservation: b.reservation });
    await quota.giveBack({ configKey: 'b', reservation: b.reservation });
    expect(await quota.remaining('b')).toBe(5);
  });

  it('stays exact while every session fails and gives back (the given-back set is trimmed)', async () => {
    const quota = createMemoryQuotaStore({ maxReservations: 10 });
    for (let i = 0; i < 1_000; i++) {
      const taken = await quota.take({ configKey: 'c', initial: 3 });
      if (!taken.ok) throw new Error('expected a unit');
      await quota.giveBack({ configKey: 'c', reservation: taken.reservation });
    }
    expect(await quota.remaining('c')).toBe(3);
  });
});
