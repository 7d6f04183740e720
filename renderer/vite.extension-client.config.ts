import { defineConfig } from 'vite';

// window.ddClient for extension frames: one classic script (an IIFE, not a module) so it runs before the page's
// own scripts, served by each extension's loopback server as /__berth/ddclient.js.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/extension-client',
    emptyOutDir: true,
    sourcemap: false,
    lib: { entry: 'src/extension-client/ddclient.ts', formats: ['iife'], name: 'BerthDdClient', fileName: () => 'ddclient.js' },
  },
});
