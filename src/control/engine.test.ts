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

test('a feature known by its stored index is cut only where a cell needs it, to the same pieces', async () => {
  const b = loadBorders();
  const geos = await getGeos();
  const countries = (e: ControlEngine) => e.prepareRegionSet('countries', [{ name: 'Ukraine', geom: b.ukraine, country: 'UKR' }, { name: 'Russia', geom: b.russia, country: 'RUS' }], e.countryPlacements());
  // a ragged occupied polygon over four cells near Donetsk, and a contested one inside it
  const ring = (x0: number, y0: number, w: number, h: number): Float64Array => Float64Array.of(x0, y0, x0 + w, y0 + 0.03, x0 + w, y0 + h, x0 + 0.02, y0 + h, x0, y0);
  const occupied = { id: 1, status: 'occupied' as const, polygons: [[ring(37.3, 47.8, 0.5, 0.5)]] };
  const contested = { id: 2, status: 'contested' as const, polygons: [[ring(37.45, 47.95, 0.2, 0.2)]] };
  const whole = new ControlEngine(geos, b);
  const expected = whole.figures([occupied, contested], countries(whole), new Map());
  const indexes = whole.takeFreshIndexes();
  assert.deepEqual([...indexes.keys()].sort(), [1, 2]);
  assert.ok(indexes.get(1)!.cells.size >= 4, 'the polygon spans four cells');

  const indexed = new ControlEngine(geos, b);
  indexed.knowIndexes(indexes);
  assert.deepEqual(indexed.figures([occupied, contested], countries(indexed), new Map()), expected);
  assert.equal(indexed.takeFreshIndexes().size, 0, 'nothing was cut whole');
  assert.deepEqual(indexed.snapshotCells([occupied, contested]).cells.map((c) => c.key), whole.snapshotCells([occupied, contested]).cells.map((c) => c.key));

  // an index that the geometry does not give is refused, not used
  const [cell, hash] = [...indexes.get(1)!.cells][0]!;
  const wrong = new ControlEngine(geos, b);
  wrong.knowIndexes([[1, { cells: new Map([...indexes.get(1)!.cells, [cell, hash.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))]]), russiaHash: '' }], [2, indexes.get(2)!]]);
  assert.throws(() => wrong.figures([occupied, contested], countries(wrong), new Map()), /stored cell index does not match its geometry/);
});
