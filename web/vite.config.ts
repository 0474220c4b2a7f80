// The web app: Vite bundles web/ (MapLibre included) into dist/web/, which `frontline serve`
// serves at /. `base: './'` keeps every asset URL relative, so the app also works under a prefix.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // MapLibre alone is ~1.1 MB minified (~300 KB gzipped); it is the app, not bloat
    chunkSizeWarningLimit: 1300,
    sourcemap: false,
    // the minifier drops MapLibre's licence comment; its BSD licence asks for the notice, so the
    // build writes every bundled package's licence to licenses.txt beside the app
    license: { fileName: 'licenses.txt' },
  },
});
