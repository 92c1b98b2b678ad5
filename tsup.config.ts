import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', redis: 'src/stores/redis/index.ts', testing: 'src/testing/index.ts', postgres: 'src/stores/postgres/index.ts', otel: 'src/otel/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    // `import.meta.url` (the lazy `re2` load) also works in the CommonJS build.
    shims: true,
  },
  {
    // The HTTP layer and its adapters: they import the core by name (`castgate`), so a config parsed
    // by the core is the same object they check, and express/fastify stay the host's own copies.
    entry: { http: 'src/http/index.ts', express: 'src/http/express.ts', fastify: 'src/http/fastify.ts', fetch: 'src/http/fetch.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
    treeshake: true,
    external: ['castgate', 'express', 'fastify'],
  },
  {
    // The `castgate` bin: ESM only, with its shebang; it imports the library entry, not a copy (only
    // dependency-free leaves such as net/iso-time.ts are bundled into it).
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
    external: ['castgate'],
    banner: { js: '#!/usr/bin/env node' },
  },
]);
