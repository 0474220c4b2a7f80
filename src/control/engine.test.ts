import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getGeos } from '../geometry/geos.js';
import { loadBorders } from './borders.js';
import { ControlEngine } from './engine.js';

test('cut into cells, each country adds up to its whole geodesic area', async () => {
  const b = loadBorders();
  const engine = new ControlEngine(await getGeos(), b);
  const [ukr, rus] = engine.placeRegions([{ name: 'Ukraine', geom: b.ukraine }, { name: 'Russia', geom: b.russia }]);
  assert.equal(ukr!.country, 'UKR');
  assert.equal(rus!.country, 'RUS');
  // pieces' shared edges cancel; what is left is round-off and the 1e-6° rounding of the file
  assert.ok(Math.abs(ukr!.areaKm2 - b.areaKm2.UKR) < 0.5, `Ukraine ${ukr!.areaKm2} vs ${b.areaKm2.UKR}`);
  // Russia's cut-out ends on the parallel 54.5°N and the meridian 42°E, which are cell edges: clipped
  // to cells, those sides become 0.5° geodesic steps instead of following the parallel (about 7 km²)
  assert.ok(Math.abs(rus!.areaKm2 - b.areaKm2.RUS) < 10, `Russia ${rus!.areaKm2} vs ${b.areaKm2.RUS}`);
});

test('a snapshot with no territory leaves every country to its owner', async () => {
  const b = loadBorders();
  const engine = new ControlEngine(await getGeos(), b);
  const set = engine.prepareRegionSet('countries', [{ name: 'Ukraine', geom: b.ukraine, country: 'UKR' }, { name: 'Russia', geom: b.russia, country: 'RUS' }], engine.countryPlacements());
  const rows = engine.figures([], set, new Map());
  assert.deepEqual(rows.map((r) => [r.region, r.RU, r.UA, r.contested]), [
    ['Ukraine', 0, b.areaKm2.UKR, 0],
    ['Russia', b.areaKm2.RUS, 0, 0],
    ['unassigned', 0, 0, 0],
  ]);
});
