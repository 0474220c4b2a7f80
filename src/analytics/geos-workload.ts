/**
 * A workload like a first `change` and `front`, on made-up fronts over the real borders: what
 * the build runs so that V8 optimises the GEOS functions those commands use, before it stores
 * their code (scripts/geos-code-cache.mjs, src/geometry/geos-code-cache.ts).
 *
 * It goes through the very code paths of the commands: features cut into cells, each cell's
 * ground unioned and cut to the land, its front with gaps closed, the ground in Russia, the
 * figures of a region set, the transitions between two dates and their areas. The fronts are
 * jagged lines across the east of Ukraine, drawn with as many vertices per kilometre as
 * DeepStateMap's, so that the polygons are as heavy as real ones; they reach into Russia and
 * over the Sea of Azov, so that the land and the border cut them.
 */
import { ControlEngine, type CellControl, type TerritoryFeature } from '../control/engine.js';
import { loadBorders, loadCountryCells } from '../control/borders.js';
import type { Geos } from '../geometry/geos.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import { cellTransitions } from './transitions.js';

/** A jagged front from south to north (deterministic): x = lon, y = lat, every ~300 m. */
function frontLine(shift: number, seed: number): number[] {
  const out: number[] = [];
  let r = seed;
  for (let y = 46.4; y <= 50.6; y += 0.003) {
    r = (r * 16807) % 2147483647;
    out.push(37 + shift + 0.6 * Math.sin(y * 3) + 0.2 * Math.sin(y * 17) + 0.01 * (r / 2147483647 - 0.5), y);
  }
  return out;
}

const ring = (xy: number[]): Float64Array => Float64Array.from([...xy, xy[0]!, xy[1]!]);

/**
 * One date: ground east of the front occupied, a strip west of it contested, a pocket in Russia
 * held by UA. `firstId`: the features' first id (an engine takes a feature id for the same
 * geometry, as in a database).
 */
function features(shift: number, seed: number, firstId: number): TerritoryFeature[] {
  const line = frontLine(shift, seed);
  const west: number[] = [];
  for (let i = line.length - 2; i >= 0; i -= 2) west.push(line[i]! - 0.04, line[i + 1]!);
  const occupied: MultiPolygon = [[ring([...line, 41, 50.6, 41, 46.4])]];
  const contested: MultiPolygon = [[ring([...line, ...west])]];
  const pocket: MultiPolygon = [[ring([35.2 + shift, 51.2, 35.6, 51.25, 35.55 + shift, 51.45, 35.25, 51.4])]];
  return [
    { id: firstId, status: 'occupied', polygons: occupied },
    { id: firstId + 1, status: 'contested', polygons: contested },
    { id: firstId + 2, status: 'dismissed', polygons: pocket },
  ];
}

/** Runs the workload `rounds` times (each round: two dates, their cells, figures and transitions); returns the km² that changed, to be used. */
export function runGeosWorkload(geos: Geos, rounds = 2): number {
  const borders = loadBorders();
  let changed = 0;
  for (let round = 0; round < rounds; round++) {
    // a fresh engine each round: nothing cached, every cell computed again
    const engine = new ControlEngine(geos, borders, loadCountryCells());
    const set = engine.prepareRegionSet('countries', [{ name: 'Ukraine', geom: borders.ukraine, country: 'UKR' }, { name: 'Russia', geom: borders.russia, country: 'RUS' }], engine.countryPlacements());
    const dates = [features(0, 7 + round, 1), features(-0.05, 11 + round, 4)].map((f) => {
      engine.figures(f, set, new Map());
      const { cells, russia } = engine.snapshotCells(f);
      engine.preparePieces(cells);
      const control = new Map<number, CellControl>(cells.map((e) => [e.id, engine.cellControl(e)]));
      if (russia) engine.russiaControl(russia);
      return control;
    });
    const [a, b] = dates as [Map<number, CellControl>, Map<number, CellControl>];
    for (const id of new Set([...a.keys(), ...b.keys()])) {
      for (const p of geos.run((s) => cellTransitions(s, id, a.get(id), b.get(id)))) changed += areaKm2(p.mp);
    }
  }
  return changed;
}
