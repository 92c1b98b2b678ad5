import { describe, expect, it } from 'vitest';
import { castConfigJsonSchema } from '../../src/config/json-schema.js';
import { fromKasmCastConfig } from '../../src/config/kasm.js';
import { parseCastConfig } from '../../src/config/parse.js';
import { expectIssue } from './helpers.js';

const base = { name: 'Demo', key: 'demo-key-0123456789', imageId: 'img-chrome' } as const;
const parse = (extra: Record<string, unknown>) => () => parseCastConfig({ ...base, ...extra });

describe('config: live-session caps and signed links (SPEC §16)', () => {
  it('keeps maxLiveSessions, maxLiveSessionsPerClient and requireSignedLink', () => {
    const config = parseCastConfig({ ...base, maxLiveSessions: 20, maxLiveSessionsPerClient: 2, requireSignedLink: true });
    expect(config).toMatchObject({ maxLiveSessions: 20, maxLiveSessionsPerClient: 2, requireSignedLink: true });
  });

  it('leaves the caps out when absent and requireSignedLink off by default', () => {
    const config = parseCastConfig(base);
    expect(Object.hasOwn(config, 'maxLiveSessions')).toBe(false);
    expect(Object.hasOwn(config, 'maxLiveSessionsPerClient')).toBe(false);
    expect(config.requireSignedLink).toBe(false);
  });

  it.each([
    [0, 'too_small'],
    [-1, 'too_small'],
    [1_000_001, 'too_big'],
    [1.5, 'invalid_type'],
    [Number.NaN, 'invalid_type'],
    [Number.POSITIVE_INFINITY, 'invalid_type'],
    ['3', 'invalid_type'],
    [null, 'invalid_type'],
    [true, 'invalid_type'],
  ] as const)('refuses a live-session cap of %s (%s) with its path', (bad, code) => {
    expectIssue(parse({ maxLiveSessions: bad }), ['maxLiveSessions'], code);
    expectIssue(parse({ maxLiveSessionsPerClient: bad }), ['maxLiveSessionsPerClient'], code);
  });

  it('refuses a requireSignedLink that is not a boolean', () => {
    expectIssue(parse({ requireSignedLink: 'yes' }), ['requireSignedLink'], 'invalid_type');
  });

  it('describes the three fields in the JSON Schema with the same bounds', () => {
    const { properties } = castConfigJsonSchema() as { properties: Record<string, Record<string, unknown>> };
    expect(properties.maxLiveSessions).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000 });
    expect(properties.maxLiveSessionsPerClient).toMatchObject({ type: 'integer', minimum: 1, maximum: 1_000_000 });
    expect(properties.requireSignedLink).toMatchObject({ type: 'boolean', default: false });
    expect(typeof properties.maxLiveSessions?.description).toBe('string');
  });

  it('leaves the Kasm import as it was: Kasm has no such fields, so none is set and a snake_case one is unknown', () => {
    const config = fromKasmCastConfig({ casting_config_name: 'Demo', key: 'demo-key-0123456789', image_id: 'img' });
    expect(Object.hasOwn(config, 'maxLiveSessions')).toBe(false);
    expect(config.requireSignedLink).toBe(false);
    expect(() => fromKasmCastConfig({ casting_config_name: 'Demo', key: 'demo-key-0123456789', image_id: 'img', max_live_sessions: 3 })).toThrow();
  });
});
