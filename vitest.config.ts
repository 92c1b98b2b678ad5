import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Examples and README snippets import the package by name; tests run them against the source.
    alias: [
      { find: /^castgate\/redis$/u, replacement: fileURLToPath(new URL('./src/stores/redis/index.ts', import.meta.url)) },
      { find: /^castgate\/testing$/u, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^castgate\/http$/u, replacement: fileURLToPath(new URL('./src/http/index.ts', import.meta.url)) },
      { find: /^castgate\/express$/u, replacement: fileURLToPath(new URL('./src/http/express.ts', import.meta.url)) },
      { find: /^castgate\/fastify$/u, replacement: fileURLToPath(new URL('./src/http/fastify.ts', import.meta.url)) },
      { find: /^castgate\/fetch$/u, replacement: fileURLToPath(new URL('./src/http/fetch.ts', import.meta.url)) },
      { find: /^castgate\/postgres$/u, replacement: fileURLToPath(new URL('./src/stores/postgres/index.ts', import.meta.url)) },
      { find: /^castgate\/otel$/u, replacement: fileURLToPath(new URL('./src/otel/index.ts', import.meta.url)) },
      { find: /^castgate$/u, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['test/package/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
