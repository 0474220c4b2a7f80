// Writes geos-wasm's WebAssembly binary next to a copy of its JavaScript loader, so that a command
// starts GEOS in ~100 ms instead of ~210 ms.
//
// geos-wasm (LGPL-3.0-or-later) ships one 2.5 MB JavaScript file with the 1.8 MB binary inside it
// as a base64 string. Every process then pays for reading and compiling that string as source
// (~45 ms) and for decoding it one character at a time (~75 ms) before WebAssembly even starts
// compiling. The copy written here is the same file with the string emptied and one change: the
// binary is taken from a global that src/geometry/geos.ts fills from geos.wasm. A second edit lets
// another global hand over a module compiled already (from the code cache that
// scripts/geos-code-cache.mjs writes). Each edit is checked to apply exactly once; if the package
// changes shape, nothing is written and src/geometry/geos.ts loads the package as it is.
//
// The binary itself gets its exception trampolines moved from the loader into WebAssembly
// (scripts/geos-wasm-invokes.mjs): the same GEOS, ~7% faster on a first `change` or `front`.
// The rewrite happens here, on the user's machine, from the package as published; GEOS stays
// under its licence (LGPL-3.0-or-later), with this script as the source of the change.
//
// Usage: node scripts/vendor-geos.mjs [OUT_DIR]   (default dist/vendor/geos-wasm)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rewriteInvokes } from './geos-wasm-invokes.mjs';

/** The global that the loader copy reads its binary from (src/geometry/geos.ts sets it). */
export const WASM_GLOBAL = 'frontline.geos-wasm.binary';
/** The global through which the loader copy instantiates a module compiled already, if set. */
export const INSTANTIATE_GLOBAL = 'frontline.geos-wasm.instantiate';

const DATA_URL = 'q??="data:application/octet-stream;base64,';
const BINARY_OPTION = ',h=B.wasmBinary,';
// Emscripten's hook for instantiating the module itself: (imports, receiveInstance) => exports
const INSTANTIATE_OPTION = 'if(B.instantiateWasm)';

/** The loader without its embedded binary, and the binary. Throws if the package's layout is not the expected one. */
export function splitGeosWasm(source) {
  const once = (text, needle) => {
    const at = text.indexOf(needle);
    if (at < 0 || text.indexOf(needle, at + 1) >= 0) throw new Error(`geos-wasm loader: expected exactly one ${JSON.stringify(needle)}`);
    return at;
  };
  const replaceOnce = (text, needle, replacement) => {
    const at = once(text, needle);
    return text.slice(0, at) + replacement + text.slice(at + needle.length);
  };
  const start = once(source, DATA_URL) + DATA_URL.length;
  const end = source.indexOf('"', start);
  const wasm = Buffer.from(source.slice(start, end), 'base64');
  // a WebAssembly module starts with "\0asm"
  if (wasm.length < 8 || wasm.readUInt32BE(0) !== 0x0061736d) throw new Error('geos-wasm loader: the embedded string is not a WebAssembly module');
  let loader = source.slice(0, start) + source.slice(end);
  loader = replaceOnce(loader, BINARY_OPTION, `,h=B.wasmBinary??globalThis[Symbol.for(${JSON.stringify(WASM_GLOBAL)})],`);
  loader = replaceOnce(loader, INSTANTIATE_OPTION, `if(B.instantiateWasm??=globalThis[Symbol.for(${JSON.stringify(INSTANTIATE_GLOBAL)})])`);
  return { loader, wasm };
}

export function packageLoaderPath() {
  // the package exports only its entry point, which is the loader itself
  return createRequire(import.meta.url).resolve('geos-wasm');
}

/**
 * Writes the split loader and binary to `outDir`, the binary with its exception trampolines in
 * WebAssembly (scripts/geos-wasm-invokes.mjs) unless that rewrite fails (then the binary is
 * written as the package embeds it, and `rewriteError` says why).
 */
export function vendorGeos(outDir) {
  const { loader, wasm: shipped } = splitGeosWasm(readFileSync(packageLoaderPath(), 'utf8'));
  let wasm = shipped, rewritten = 0, rewriteError;
  try {
    const r = rewriteInvokes(shipped, loader);
    wasm = r.wasm;
    rewritten = r.invokes;
  } catch (e) {
    rewriteError = e.message;
  }
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'geos.wasm'), wasm);
  writeFileSync(join(outDir, 'geos.esm.js'), loader);
  return { loaderBytes: loader.length, wasmBytes: wasm.length, rewritten, rewriteError };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? 'dist/vendor/geos-wasm';
  try {
    const { loaderBytes, wasmBytes, rewritten, rewriteError } = vendorGeos(out);
    console.log(`geos-wasm: ${out}/geos.wasm (${(wasmBytes / 1048576).toFixed(1)} MiB) and a ${(loaderBytes / 1024).toFixed(0)} KiB loader`);
    if (rewriteError) console.warn(`geos-wasm: exception trampolines left in JavaScript (${rewriteError})`);
    else console.log(`geos-wasm: ${rewritten} exception trampolines moved into WebAssembly`);
  } catch (e) {
    // not fatal: src/geometry/geos.ts falls back to the package as shipped
    rmSync(out, { recursive: true, force: true });
    console.warn(`geos-wasm: not split (${e.message}); GEOS will load from the package, ~110 ms slower per process`);
  }
}
