// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/package/fixture/**', 'bench/results.json'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' },
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` array and a derived union.' },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // A store backend is a plug-in: it may import the core's types, never its code, so a backend
    // can be lifted out (or written by a host) without dragging the engine along. One exception:
    // engine/deadline.js, the one vocabulary of time limits, which imports nothing (rule below), so
    // it drags nothing along either.
    files: ['src/stores/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/**', '!**/engine/deadline.js', '**/guards/**', '**/config/**', '**/contract/**', '**/remote-app/**', '**/captcha/**', '**/http/**', '**/cli/**', '**/net/**', '**/index.js'],
              allowTypeImports: true,
              message: 'A store backend imports only types from the core.',
            },
          ],
        },
      ],
    },
  },
  {
    // castgate/otel reads decision events: it may import the core's types, never its code, so the
    // entry stays small and the core never loads @opentelemetry/api.
    files: ['src/otel/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], allowTypeImports: true, message: 'castgate/otel imports only types from the core.' }] },
      ],
    },
  },
  {
    // Store backends import the deadline module: it must stay a leaf.
    files: ['src/engine/deadline.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['./*', '../*'], message: 'engine/deadline.ts imports nothing (store backends use it).' }] }],
    },
  },
  {
    files: ['*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
      // vitest's asymmetric matchers (expect.any, expect.stringContaining) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
