import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGeosWasm, startGeos } from './geos.js';
import { areaKm2 } from './geodesic.js';
// @ts-expect-error: a plain script of the build, without types
import { packageLoaderPath, splitGeosWasm, vendorGeos } from '../../scripts/vendor-geos.mjs';

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

test('GEOS loaded from the split files computes the same geometries as the package as shipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-geos-'));
  try {
    vendorGeos(dir);
    const split = await loadGeosWasm(dir);
    const shipped = await loadGeosWasm(join(dir, 'absent'));
    assert.equal(split.split, true);
    assert.equal(shipped.split, false);
    const [a, b] = [await startGeos(split.init), await startGeos(shipped.init)];
    assert.match(a.version, /^3\.13/);
    assert.equal(a.version, b.version);
    const results = [a, b].map((geos) => geos.run((s) => {
      const p = s.valid(star(36, 48, 400, 0.3, 7)), q = s.valid(star(36.1, 48.05, 300, 0.3, 11));
      return [s.difference(p, q), s.intersection(p, q), s.union(p, q), s.buffer(p, 0.01)].map((g) => s.toMultiPolygon(g));
    }));
    assert.deepEqual(results[0], results[1]);
    assert.ok(areaKm2(results[0]![1]!) > 100, 'the overlap is a real area');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
