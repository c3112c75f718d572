/// <reference types="vitest/config" />
/**
 * The portal's build: a single-page app with hashed assets under `assets/`, served by the
 * gateway at `/`. `@lab/client` is compiled from its TypeScript source (it is a CommonJS
 * package for the services), and the dev server proxies the API to a running gateway.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const clientSource = fileURLToPath(new URL('../packages/client/src/index.ts', import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@lab/client': clientSource } },
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    // No inline scripts or data: URLs: the gateway's Content-Security-Policy forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: {
      '/v1': process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000',
      '/portal-config.json': process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    restoreMocks: true,
  },
});
