// Build of the three Electron entry points: main (src/main/app), preload and the Svelte renderer.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const native = ['better-sqlite3', 'sharp', /^@tensorflow\//];

export default defineConfig({
  main: {
    plugins: [
      {
        // the training gradients' SIMD kernels (src/main/ml/simd/kernels.ts looks for them beside the bundle)
        name: 'simd-kernels',
        generateBundle() {
          const source = readFileSync(resolve('src/main/ml/simd/kernels.wasm'));
          this.emitFile({ type: 'asset', fileName: 'simd-kernels.wasm', source });
        },
      },
    ],
    build: {
      rollupOptions: {
        // The ML worker is its own entry: the app forks out/main/worker.js for every job.
        input: { index: resolve('src/main/app/index.ts'), worker: resolve('src/main/ml/worker/main.ts') },
        external: native,
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload cannot be an ES module: Electron loads it as CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    base: './',
    plugins: [
      svelte({ configFile: resolve('svelte.config.js') }),
      // The built page's CSP allows no inline styles (Svelte's CSS goes to a .css file); only the dev
      // server, which injects CSS as <style> tags for hot reload, needs them.
      {
        name: 'csp-dev-inline-styles',
        apply: 'serve',
        transformIndexHtml: (html: string) =>
          html.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';"),
      },
    ],
    build: {
      rollupOptions: {
        input: { index: resolve('src/renderer/index.html') },
      },
    },
  },
});
