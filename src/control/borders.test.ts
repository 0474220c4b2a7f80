import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BORDER_CELLS_BINARY, BORDERS_GEOJSON, encodeCountryCells, loadBorders, loadCountryCells, parseBordersGeoJSON } from './borders.js';
import { cutBorders } from './border-cells.js';
import { GRID } from './engine.js';
import { areaKm2 } from '../geometry/geodesic.js';

test('the areas recorded in the borders file are the geodesic areas of its geometries', () => {
  const b = loadBorders();
  assert.ok(Math.abs(b.areaKm2.UKR - areaKm2(b.ukraine)) < 1e-3);
  assert.ok(Math.abs(b.areaKm2.RUS - areaKm2(b.russia)) < 1e-3);
  // Ukraine's land area with Crimea, without the Sea of Azov: about 585,000 km² (603,550 km² with inland and coastal waters)
  assert.ok(b.areaKm2.UKR > 575_000 && b.areaKm2.UKR < 604_000);
});

test('the binary borders file holds exactly the GeoJSON original', () => {
  const bytes = (r: Float64Array): Buffer => Buffer.from(r.buffer, r.byteOffset, r.byteLength);
  const bin = loadBorders();
  const json = parseBordersGeoJSON(readFileSync(BORDERS_GEOJSON, 'utf8'));
  assert.equal(bin.source, json.source);
  assert.deepEqual(bin.areaKm2, json.areaKm2);
  assert.deepEqual(bin.bbox, json.bbox);
  for (const country of ['ukraine', 'russia'] as const) {
    assert.equal(bin[country].length, json[country].length, country);
    bin[country].forEach((poly, i) => {
      assert.equal(poly.length, json[country][i]!.length, `${country} polygon ${i}`);
      // the very same doubles, not just close ones
      poly.forEach((ring, j) => assert.ok(bytes(ring).equals(bytes(json[country][i]![j]!)), `${country} polygon ${i} ring ${j}`));
    });
  }
});

test('the countries cut into cells in the binary file are what the engine cuts from the borders', async () => {
  const stored = loadCountryCells();
  const cut = await cutBorders(loadBorders());
  assert.equal(stored.grid, GRID);
  assert.equal(stored.borders, loadBorders().id);
  for (const country of ['UKR', 'RUS'] as const) assert.deepEqual([...stored[country].keys()].sort(), [...cut[country].keys()].sort(), country);
  // byte for byte: the engine gives the same cell keys and figures with and without the file
  assert.ok(encodeCountryCells(stored).equals(encodeCountryCells(cut)));
  assert.ok(readFileSync(BORDER_CELLS_BINARY).equals(encodeCountryCells(cut)));
});
