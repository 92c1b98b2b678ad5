import { describe, expect, it } from 'vitest';
import { createMemoryStores, evaluateCast } from 'castgate';
import { floorDecider } from '../../bench/parts/memory-floor.js';
import { fullPathConfig } from '../../bench/parts/memory.js';

// The bench's hand-written floor is only a fair lower bound if it produces what castgate produces.
describe('the bench floor (bench/parts/memory-floor.ts)', () => {
  const request = { ip: '203.0.113.9', referrer: 'https://example.com/page', query: { file: 'C:\\Reports\\Q1 2030.xlsx' } };

  it('answers the decision castgate answers on the memory path, but for its ids and durations', async () => {
    const decision = await evaluateCast(fullPathConfig, request, createMemoryStores());
    const floor = floorDecider({ config: fullPathConfig, limit: 100, windowMs: 60_000, keepSessions: 10 })(request);
    const comparable = (d: unknown) => {
      const { allowed, outcome, launch, session, trace } = d as { allowed: boolean; outcome: string; launch: unknown; session: { id: string; userId: string }; trace: { guard: string; verdict: string }[] };
      return { allowed, outcome, launch, session: { id: session.id.replace(/[0-9a-f-]+$/u, ''), userId: session.userId.replace(/[0-9a-f-]+$/u, '') }, trace: trace.map(({ guard, verdict }) => ({ guard, verdict })) };
    };
    expect(floor).not.toBeNull();
    expect(comparable(floor)).toEqual(comparable(decision));
  });

  it('keeps an exact sliding window: the limit, then a free slot once the oldest leaves the window', async () => {
    const decide = floorDecider({ config: fullPathConfig, limit: 2, windowMs: 50, keepSessions: 0 });
    expect(decide(request)).not.toBeNull();
    expect(decide(request)).not.toBeNull();
    expect(decide(request)).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(decide(request)).not.toBeNull();
  });

  it('refuses what castgate refuses on this path: a foreign referrer, a file the pattern rejects, no file', () => {
    const decide = floorDecider({ config: fullPathConfig, limit: 100, windowMs: 60_000, keepSessions: 0 });
    expect(decide({ ...request, referrer: 'https://evil.example/' })).toBeNull();
    expect(decide({ ...request, query: { file: 'C:\\Reports\\notes.txt' } })).toBeNull();
    expect(decide({ ...request, query: {} })).toBeNull();
    expect(decide({ ...request, referrer: 'https://app.partner.example/x' })).not.toBeNull();
  });
});
