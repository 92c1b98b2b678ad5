import { describe, expect, it } from 'vitest';
import { castConfigJsonSchema } from '../../src/config/json-schema.js';
import { safeParseCastConfig } from '../../src/config/parse.js';
import { castConfigSchema } from '../../src/config/schema.js';
import { clientSettingNames } from '../../src/contract/launch-plan.js';

type Json = Record<string, unknown>;

const base = { name: 'Demo', key: 'demo-key-0123456789', imageId: 'img' };

function at(schema: Json, ...path: string[]): Json {
  let node: unknown = schema;
  for (const key of path) node = (node as Json)[key];
  expect(node, path.join('.')).toBeTypeOf('object');
  return node as Json;
}

/** Every object schema in the tree, with its JSON pointer. */
function objectSchemas(node: unknown, pointer = '#'): [string, Json][] {
  if (typeof node !== 'object' || node === null) return [];
  const found: [string, Json][] = [];
  const json = node as Json;
  if (json.type === 'object' || 'properties' in json) found.push([pointer, json]);
  for (const [key, child] of Object.entries(json)) found.push(...objectSchemas(child, `${pointer}/${key}`));
  return found;
}

describe('castConfigJsonSchema', () => {
  it('is an object schema at its root, with properties and the three required fields', () => {
    const schema = castConfigJsonSchema();
    expect(schema.type).toBe('object');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['name', 'key', 'imageId']);
    expect(Object.keys(at(schema, 'properties'))).toEqual(Object.keys(castConfigSchema.shape));
  });

  it('sets additionalProperties: false on every object (THREATS 9.10)', () => {
    const objects = objectSchemas(castConfigJsonSchema());
    expect(objects.map(([pointer]) => pointer)).toEqual([
      '#',
      '#/properties/ipRateLimit',
      '#/properties/clientSettings',
      '#/properties/remoteApp',
      '#/properties/remoteApp/properties/args/items',
    ]);
    for (const [pointer, object] of objects) expect(object.additionalProperties, pointer).toBe(false);
  });

  const numericBounds: [string, string[], number, number][] = [
    ['sessionsRemaining', ['sessionsRemaining'], 0, Number.MAX_SAFE_INTEGER],
    ['ipRateLimit.sessions', ['ipRateLimit', 'properties', 'sessions'], 1, 10_000],
    ['ipRateLimit.withinSeconds', ['ipRateLimit', 'properties', 'withinSeconds'], 1, 31_536_000],
  ];
  for (const [label, path, minimum, maximum] of numericBounds) {
    it(`gives ${label} the bounds zod enforces: integer ${minimum} to ${maximum}`, () => {
      const property = at(castConfigJsonSchema(), 'properties', ...path);
      expect(property).toMatchObject({ type: 'integer', minimum, maximum });
      const withValue = (n: number) => {
        if (label === 'sessionsRemaining') return { ...base, sessionsRemaining: n };
        const limit = { sessions: 1, withinSeconds: 1, [path[2] ?? '']: n };
        return { ...base, ipRateLimit: limit };
      };
      expect(safeParseCastConfig(withValue(minimum)).success).toBe(true);
      expect(safeParseCastConfig(withValue(maximum)).success).toBe(true);
      expect(safeParseCastConfig(withValue(minimum - 1)).success).toBe(false);
      expect(safeParseCastConfig(withValue(maximum + 1)).success).toBe(false);
      expect(safeParseCastConfig(withValue(minimum + 0.5)).success).toBe(false);
    });
  }

  it('gives string and list limits that match zod', () => {
    const schema = castConfigJsonSchema();
    expect(at(schema, 'properties', 'errorUrl').maxLength).toBe(2048);
    expect(at(schema, 'properties', 'name')).toMatchObject({ minLength: 1, maxLength: 256 });
    expect(at(schema, 'properties', 'allowedReferrers').maxItems).toBe(1000);
    expect(at(schema, 'properties', 'remoteApp', 'properties', 'args').maxItems).toBe(32);
    expect(at(schema, 'properties', 'remoteApp', 'properties', 'args', 'items', 'properties', 'valuePattern').maxLength).toBe(1024);
    expect(safeParseCastConfig({ ...base, name: 'n'.repeat(256) }).success).toBe(true);
    expect(safeParseCastConfig({ ...base, name: 'n'.repeat(257) }).success).toBe(false);
  });

  it('describes validUntil as a date-time string (the Date form has no JSON equivalent)', () => {
    const validUntil = at(castConfigJsonSchema(), 'properties', 'validUntil');
    expect(validUntil).toMatchObject({ type: 'string', format: 'date-time' });
    expect(validUntil).not.toHaveProperty('anyOf');
  });

  it('marks the URL fields as format uri', () => {
    for (const name of ['errorUrl', 'kasmUrl', 'launcherBackgroundUrl']) {
      expect(at(castConfigJsonSchema(), 'properties', name)).toMatchObject({ type: 'string', format: 'uri', maxLength: 2048 });
    }
  });

  it('shows the input shape: defaults, and optional fields not required', () => {
    const schema = castConfigJsonSchema();
    expect(at(schema, 'properties', 'allowResume')).toMatchObject({ type: 'boolean', default: true });
    expect(at(schema, 'properties', 'remoteApp', 'properties', 'argPolicy')).toMatchObject({ enum: ['default', 'strict'], default: 'default' });
    expect(at(schema, 'properties', 'remoteApp').required).toEqual(['remoteAppName']);
    expect(at(schema, 'properties', 'key').pattern).toBe('^[A-Za-z0-9_-]{1,128}$');
  });

  it('lists all twelve client settings as booleans', () => {
    const settings = at(castConfigJsonSchema(), 'properties', 'clientSettings', 'properties');
    expect(Object.keys(settings)).toEqual([...clientSettingNames]);
    for (const name of clientSettingNames) expect(settings[name]).toEqual({ type: 'boolean' });
  });

  it('describes every top-level field', () => {
    for (const [name, property] of Object.entries(at(castConfigJsonSchema(), 'properties'))) {
      expect((property as Json).description, name).toBeTypeOf('string');
    }
  });

  it('answers a fresh object on every call', () => {
    const first = castConfigJsonSchema();
    at(first, 'properties', 'name').maxLength = 1;
    delete first.required;
    const second = castConfigJsonSchema();
    expect(second).not.toBe(first);
    expect(at(second, 'properties', 'name').maxLength).toBe(256);
    expect(second.required).toEqual(['name', 'key', 'imageId']);
  });

  it('is plain JSON', () => {
    const schema = castConfigJsonSchema();
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
