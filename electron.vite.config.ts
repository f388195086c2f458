import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import rendererConfig from './vite.renderer.config';

const shared = { '@shared': resolve('src/shared') };

export default defineConfig({
  main: {
    resolve: { alias: shared },
    build: {
      // cap is a native addon: it stays a runtime require, never bundled.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          capture: resolve('src/main/lab/capture/worker.ts'),
          // The lab-network engine runs in its own process inside unshare -Urn.
          engine: resolve('src/main/lab/net/engine.ts'),
        },
      },
    },
  },
  preload: {
    resolve: { alias: shared },
    build: {
      // A sandboxed preload must be CommonJS and may only require('electron').
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  // One renderer config, also used alone by `npm run dev:web`.
  renderer: rendererConfig,
});
