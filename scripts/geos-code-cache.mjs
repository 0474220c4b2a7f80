// Writes the code cache of GEOS (src/geometry/geos-code-cache.ts) beside the split binary that
// scripts/vendor-geos.mjs wrote: compiles GEOS, runs a workload like a first `change` and `front`
// (src/analytics/geos-workload.ts) until V8 has optimised what it uses, and stores V8's code.
// Runs after tsc, from dist/. Not fatal: without the cache, GEOS compiles as usual when loaded.
//
// Usage: node scripts/geos-code-cache.mjs [DIR]   (default dist/vendor/geos-wasm)
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = resolve(process.argv[2] ?? 'dist/vendor/geos-wasm');
const dist = (path) => import(pathToFileURL(resolve('dist', path)).href);
const out = join(dir, 'geos.code-cache');

try {
  const { loadGeosWasm, startGeos } = await dist('geometry/geos.js');
  const { writeCodeCache, CODE_CACHE_FILE } = await dist('geometry/geos-code-cache.js');
  const { runGeosWorkload } = await dist('analytics/geos-workload.js');
  const loader = await loadGeosWasm(dir, { compile: true });
  if (!loader.split || !loader.module) throw new Error(`no split GEOS in ${dir}`);
  const geos = await startGeos(loader.init);
  const started = performance.now();
  runGeosWorkload(geos, 3);
  // V8 optimises on background threads: give the last functions it queued time to finish
  await new Promise((r) => setTimeout(r, 500));
  const cache = writeCodeCache(loader.module, readFileSync(join(dir, 'geos.wasm')));
  writeFileSync(join(dir, CODE_CACHE_FILE), cache);
  console.log(`geos-wasm: ${join(dir, CODE_CACHE_FILE)} (${(cache.length / 1048576).toFixed(1)} MiB of optimised code, workload ${((performance.now() - started) / 1000).toFixed(1)} s)`);
} catch (e) {
  rmSync(out, { force: true });
  console.warn(`geos-wasm: no code cache (${e.message}); GEOS will compile as it runs`);
}
