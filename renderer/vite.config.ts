import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative asset URLs so the same build loads from file:// in Electron and from the browser-mode server.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
});
