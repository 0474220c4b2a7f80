import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GeosError, loadGeosWasm, startGeos, type Geos } from './geos.js';
import { CODE_CACHE_FILE, readCodeCache, writeCodeCache } from './geos-code-cache.js';
import { runGeosWorkload } from '../analytics/geos-workload.js';
import { areaKm2 } from './geodesic.js';
import type { MultiPolygon } from './flat.js';
import { planarArea } from './planar.js';
// @ts-expect-error: a plain script of the build, without types
import { packageLoaderPath, splitGeosWasm, vendorGeos } from '../../scripts/vendor-geos.mjs';
// @ts-expect-error: a plain script of the build, without types
import { rewriteInvokes } from '../../scripts/geos-wasm-invokes.mjs';

/** A jagged polygon around a centre (deterministic), to give the overlays real work. */
function star(cx: number, cy: number, n: number, r: number, seed: number): Float64Array[][] {
  const ring = new Float64Array(2 * n + 2);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 16807) % 2147483647;
    const rr = r * (0.6 + 0.8 * (x / 2147483647));
    ring[2 * i] = cx + rr * Math.cos((2 * Math.PI * i) / n);
    ring[2 * i + 1] = cy + rr * Math.sin((2 * Math.PI * i) / n);
  }
  ring[2 * n] = ring[0]!;
  ring[2 * n + 1] = ring[1]!;
  return [[ring]];
}

test('the split GEOS loader holds no embedded binary, and its binary is the one the package embeds', () => {
  const source = readFileSync(packageLoaderPath(), 'utf8') as string;
  const { loader, wasm } = splitGeosWasm(source) as { loader: string; wasm: Buffer };
  assert.ok(WebAssembly.validate(new Uint8Array(wasm)), 'a valid WebAssembly module');
  assert.ok(loader.length < source.length / 10, `loader ${loader.length} bytes of ${source.length}`);
  assert.ok(!/[A-Za-z0-9+/]{10000}/.test(loader), 'no long base64 run left');
  const b64 = /base64,([A-Za-z0-9+/=]+)"/.exec(source)![1]!;
  assert.deepEqual(wasm, Buffer.from(b64, 'base64'));
  assert.throws(() => splitGeosWasm(source.replace(',h=B.wasmBinary,', ',h=B.other,')), /exactly one/);
});

/** Overlays and a buffer of two jagged polygons, as flat polygons. */
const overlays = (geos: Geos): MultiPolygon[] => geos.run((s) => {
  const p = s.valid(star(36, 48, 400, 0.3, 7)), q = s.valid(star(36.1, 48.05, 300, 0.3, 11));
  return [s.difference(p, q), s.intersection(p, q), s.union(p, q), s.buffer(p, 0.01)].map((g) => s.toMultiPolygon(g));
});

/** An error GEOS reports (an unclosed ring), then one thrown and caught inside GEOS's C++ (a bow tie in an overlay): both a GeosError, and GEOS still works after them. */
function assertErrorsSurface(geos: Geos): void {
  assert.throws(() => geos.run((s) => s.from([[Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1)]])), (e) => e instanceof GeosError && /closed linestring/.test(e.message));
  const bowTie = [[Float64Array.of(0, 0, 2, 2, 2, 0, 0, 2, 0, 0)]];
  assert.throws(() => geos.run((s) => s.intersection(s.from(bowTie), s.from([[Float64Array.of(0, 0, 1, 0, 1, 1, 0, 1, 0, 0)]]))), (e) => e instanceof GeosError && /TopologyException/.test(e.message));
  const square = geos.run((s) => s.toMultiPolygon(s.intersection(s.from([[Float64Array.of(0, 0, 2, 0, 2, 2, 0, 2, 0, 0)]]), s.from([[Float64Array.of(1, 1, 3, 1, 3, 3, 1, 3, 1, 1)]]))));
  assert.equal(square.length, 1);
  assert.equal(planarArea(square), 1);
}

test('the exception trampolines move into the binary, which validates, and are all accounted for', () => {
  const { loader, wasm } = splitGeosWasm(readFileSync(packageLoaderPath(), 'utf8') as string) as { loader: string; wasm: Buffer };
  const { wasm: rewritten, invokes } = rewriteInvokes(wasm, loader) as { wasm: Buffer; invokes: number };
  assert.ok(invokes >= 40, `${invokes} trampolines`);
  assert.ok(WebAssembly.validate(new Uint8Array(rewritten)));
  // the calls now go to functions appended after all others (indices of two bytes, not one)
  assert.ok(rewritten.length > wasm.length && rewritten.length < wasm.length * 1.01, `${wasm.length} → ${rewritten.length} bytes`);
  assert.throws(() => rewriteInvokes(wasm, loader.replace(/A!==A\+0/g, 'A!==A')), /no invoke trampolines/);
});

test('GEOS loaded from the split files computes the same geometries as the package as shipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-geos-'));
  try {
    const vendored = vendorGeos(dir) as { rewritten: number; rewriteError?: string };
    assert.equal(vendored.rewriteError, undefined);
    assert.ok(vendored.rewritten > 0);
    const split = await loadGeosWasm(dir);
    const shipped = await loadGeosWasm(join(dir, 'absent'));
    assert.equal(split.split, true);
    assert.equal(shipped.split, false);
    const [a, b] = [await startGeos(split.init), await startGeos(shipped.init)];
    assert.match(a.version, /^3\.13/);
    assert.equal(a.version, b.version);
    const results = [a, b].map(overlays);
    assert.deepEqual(results[0], results[1]);
    assert.ok(areaKm2(results[0]![1]!) > 100, 'the overlap is a real area');
    assertErrorsSurface(a);
    assertErrorsSurface(b);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GEOS from the code cache computes what it computes compiled; a damaged or mismatched cache is ignored', async () => {
  const root = mkdtempSync(join(tmpdir(), 'frontline-geos-cache-'));
  try {
    // one loader module holds one GEOS instance: the compiled and the cached one load from two folders
    const [compiledDir, cachedDir] = [join(root, 'compiled'), join(root, 'cached')];
    vendorGeos(compiledDir);
    mkdirSync(cachedDir);
    for (const f of ['geos.wasm', 'geos.esm.js']) copyFileSync(join(compiledDir, f), join(cachedDir, f));
    const compiled = await loadGeosWasm(compiledDir, { compile: true });
    assert.ok(compiled.module);
    const geos = await startGeos(compiled.init);
    assert.ok(runGeosWorkload(geos, 1) > 100, 'the workload changes real ground');
    await new Promise((r) => setTimeout(r, 300));
    const wasm = readFileSync(join(compiledDir, 'geos.wasm'));
    const cache = writeCodeCache(compiled.module, wasm);
    const path = join(cachedDir, CODE_CACHE_FILE);
    writeFileSync(path, cache);
    assert.ok(readCodeCache(path, wasm) instanceof WebAssembly.Module);
    const cached = await loadGeosWasm(cachedDir);
    assert.equal(cached.cached, true);
    const fromCache = await startGeos(cached.init);
    assert.deepEqual(overlays(fromCache), overlays(geos));
    assertErrorsSurface(fromCache);
    // damaged code, another binary, another V8: each is refused before V8 sees it
    const damaged = Buffer.from(cache);
    damaged[damaged.length - 100]! ^= 0xff;
    writeFileSync(path, damaged);
    assert.equal(readCodeCache(path, wasm), undefined);
    writeFileSync(path, cache);
    const other = Buffer.from(wasm);
    other[other.length - 1]! ^= 0xff;
    assert.equal(readCodeCache(path, other), undefined);
    writeFileSync(path, Buffer.from(cache.toString('latin1').replace(`"v8":"${process.versions.v8}"`, '"v8":"0.0"'), 'latin1'));
    assert.equal(readCodeCache(path, wasm), undefined);
    writeFileSync(path, cache.subarray(0, cache.length - 1000));
    assert.equal(readCodeCache(path, wasm), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
