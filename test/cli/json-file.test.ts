import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '../../src/cli/json-file.js';

describe('readJsonFile (the CLI reading a config or fixtures file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'castgate-json-file-'));

  it('parses a JSON file, with or without a byte-order mark', async () => {
    writeFileSync(join(dir, 'plain.json'), '{"a":1}');
    writeFileSync(join(dir, 'bom.json'), '\uFEFF[1,2]');
    expect(await readJsonFile(join(dir, 'plain.json'))).toEqual({ ok: true, json: { a: 1 } });
    expect(await readJsonFile(join(dir, 'bom.json'))).toEqual({ ok: true, json: [1, 2] });
  });

  it('says a missing file or a directory is unreadable, naming the path', async () => {
    const missing = join(dir, 'missing.json');
    expect(await readJsonFile(missing)).toEqual({ ok: false, problem: 'unreadable', message: `cannot read ${JSON.stringify(missing)}: no such file` });
    expect(await readJsonFile(dir)).toEqual({ ok: false, problem: 'unreadable', message: `cannot read ${JSON.stringify(dir)}: it is a directory` });
  });

  it('says text that is not JSON is not JSON, in one line naming the path', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"a":');
    const file = await readJsonFile(broken);
    expect(file).toMatchObject({ ok: false, problem: 'not_json' });
    expect(file.ok ? '' : file.message).toMatch(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}: not valid JSON \\(.+\\)$`, 'u'));
    expect(file.ok ? '' : file.message).not.toContain('\n');
  });
});
