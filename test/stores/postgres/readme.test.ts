import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresMigrationSql } from '../../../src/stores/postgres/index.js';

const readme = readFileSync(resolve(import.meta.dirname, '../../../README.md'), 'utf8');

describe('README: PostgreSQL', () => {
  it('shows exactly the SQL migrate() runs on the default schema', () => {
    const block = /<!-- postgres-migration-sql[^>]*-->\s*```sql\n([\s\S]*?)```/u.exec(readme)?.[1];
    expect(block).toBe(postgresMigrationSql());
  });

  it('lists every table migrate() creates', () => {
    const tables = [...postgresMigrationSql().matchAll(/CREATE TABLE IF NOT EXISTS "castgate"\.(\w+)/gu)].map((m) => m[1]);
    expect(tables.length).toBe(5);
    for (const table of tables) expect(readme).toContain(`| \`${table}\` |`);
  });
});
