import { defineConfig } from 'vitest/config';

// Runs after `npm run build`: checks the package as users install it.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
