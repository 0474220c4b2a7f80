import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadBorders } from './borders.js';
import { areaKm2 } from '../geometry/geodesic.js';

test('the areas recorded in the borders file are the geodesic areas of its geometries', () => {
  const b = loadBorders();
  assert.ok(Math.abs(b.areaKm2.UKR - areaKm2(b.ukraine)) < 1e-3);
  assert.ok(Math.abs(b.areaKm2.RUS - areaKm2(b.russia)) < 1e-3);
  // Ukraine's land area with Crimea, without the Sea of Azov: about 585,000 km² (603,550 km² with inland and coastal waters)
  assert.ok(b.areaKm2.UKR > 575_000 && b.areaKm2.UKR < 604_000);
});
