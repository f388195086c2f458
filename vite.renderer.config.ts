/**
 * The renderer's Vite config, one definition for both ways it is served: electron-vite uses it
 * as its `renderer` section (build, and `npm run dev` with hot reload in Electron), and
 * `npm run dev:web` runs plain Vite with it, the lab's web server beside it.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * `npm run dev:web` sets this to the lab's web server (host:port): the dev server then forwards
 * the page's WebSocket to it, as that server's own page would open it (Host and Origin rewritten).
 */
const devLab = process.env.SOCKLAB_DEV_LAB;

export default defineConfig({
  root: resolve('src/renderer'),
  resolve: { alias: { '@shared': resolve('src/shared'), '@renderer': resolve('src/renderer/src') } },
  plugins: [vue()],
  build: { rollupOptions: { input: resolve('src/renderer/index.html') } },
  server: devLab
    ? {
        proxy: {
          '/ws': {
            target: `ws://${devLab}`,
            ws: true,
            changeOrigin: true,
            configure: (proxy) => proxy.on('proxyReqWs', (request) => request.setHeader('Origin', `http://${devLab}`)),
          },
        },
      }
    : undefined,
});
