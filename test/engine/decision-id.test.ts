import { describe, expect, it } from 'vitest';
import { nextDecisionId } from '../../src/engine/decision-id.js';

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;

describe('decision ids', () => {
  it('are version 4 UUIDs, each once, counting up by one across every 256-id boundary', () => {
    const ids = Array.from({ length: 5000 }, () => nextDecisionId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(uuidV4);
    const counters = ids.map((id) => Number.parseInt(id.slice(-8), 16));
    for (let i = 1; i < counters.length; i++) expect(counters[i]).toBe((counters[i - 1] ?? 0) + 1);
    // One random prefix for the whole run: only the counter changes.
    expect(new Set(ids.map((id) => id.slice(0, -8))).size).toBe(1);
  });
});
