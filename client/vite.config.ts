// Builds the web client from client/ into client/dist; in dev, proxies the API and the socket to the server on :3000.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const server = 'http://localhost:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // three alone is ~700 kB minified; it gets its own long-cacheable chunk, so raise the warning threshold past it.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      output: {
        codeSplitting: {
          // React gets its own chunk first: otherwise it is pulled into 'three' (a group takes its modules'
          // dependencies), and the handheld at /picker, which never draws 3D, would download three.js.
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
            // Charts are for the floor's KPI panel only: the handheld and the pack station must not download them.
            { name: 'charts', test: /node_modules[\\/]uplot[\\/]/, priority: 25 },
            { name: 'three', test: /node_modules[\\/](three|@react-three)[\\/]/, priority: 20 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': server,
      '/socket.io': { target: server, ws: true },
    },
  },
});
