/**
 * `front`: the line of contact on a date and its geodesic length, total and per region.
 *
 * The front is where RU-controlled ground meets ground that is UA-controlled or contested: the
 * outline of RU's ground inside Ukraine, less Ukraine's own outline (coasts and international
 * borders are not a front), and the outline of the ground Ukraine holds or contests inside
 * Russia, less Russia's outline. It is computed cell by cell (control/geometry.ts); the pieces
 * meet on cell edges, so lengths add up and the line can be sewn back together for output.
 */
import { getGeos } from '../geometry/geos.js';
import type { Line } from '../geometry/flat.js';
import { bboxOf } from '../geometry/flat.js';
import { lineLengthKm } from '../geometry/geodesic.js';
import { ControlEngine, RUSSIA_CELL, type PreparedRegionSet } from '../control/engine.js';
import { FRONT_GAP_KM } from '../control/front-line.js';
import type { ControlGeometry, KeyedCell } from '../control/geometry.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { FigureService, Provenance } from './figures.js';
import { round, snapshotRef, type SnapshotRef } from './area.js';

export const FRONT_METHOD = `outline of RU ground where it meets UA or contested ground, gaps narrower than ${FRONT_GAP_KM} km closed, less international borders and coasts; geodesic length on WGS 84`;

export interface FrontResult {
  snapshot: SnapshotRef;
  provenance: Provenance & { front: string };
  length_km: number;
  by_region: { region: string; length_km: number }[];
}

const lengthOf = (lines: Line[]): number => lines.reduce((a, l) => a + lineLengthKm(l), 0);

export class FrontService {
  readonly geometry: ControlGeometry;
  /** Per-cell lengths by region, keyed by region set and cell key: the front of most cells never changes. */
  private readonly lengths = new Map<string, Float64Array>();

  constructor(store: Store, private readonly figures: FigureService) {
    this.geometry = figures.controlGeometry();
  }

  /** The front's lines on a snapshot, cell by cell (cells known to hold none are not looked at). */
  cells(snapshot: SnapshotRow): Promise<KeyedCell[]> {
    return this.geometry.frontCellsOf(snapshot);
  }

  /** The whole front as lines sewn across cell edges. */
  async lines(snapshot: SnapshotRow): Promise<Line[]> {
    const geos = await getGeos();
    const parts = (await this.cells(snapshot)).flatMap((c) => c.front);
    return geos.run((s) => s.toLines(s.lineMerge(s.lines(parts))));
  }

  async front(snapshot: SnapshotRow, regionSet: string): Promise<FrontResult> {
    const engine = await this.figures.getEngine();
    const set = await this.figures.prepare(regionSet);
    const n = set.regions.length;
    const sums = new Float64Array(n + 1); // per region, then the total
    for (const c of await this.cells(snapshot)) {
      const k = `${regionSet}|${c.key}`;
      let v = this.lengths.get(k);
      if (!v) this.lengths.set(k, (v = await cellLengths(engine, set, c)));
      for (let i = 0; i <= n; i++) sums[i]! += v[i]!;
    }
    const by = set.regions.map((r, i) => ({ region: r.name, length_km: round(sums[i]!, 1) }));
    const assigned = by.reduce((a, r) => a + r.length_km, 0);
    by.push({ region: 'unassigned', length_km: round(Math.max(0, sums[n]! - assigned), 1) });
    return {
      snapshot: snapshotRef(snapshot),
      provenance: { ...this.figures.provenance(snapshot, regionSet), front: FRONT_METHOD },
      length_km: round(sums[n]!, 1),
      by_region: by,
    };
  }
}

/** A cell's front length inside each region of the set, then in total. */
async function cellLengths(engine: ControlEngine, set: PreparedRegionSet, c: KeyedCell): Promise<Float64Array> {
  const geos = await getGeos();
  const n = set.regions.length;
  const out = new Float64Array(n + 1);
  out[n] = lengthOf(c.front);
  geos.run((s) => {
    const line = s.lines(c.front);
    if (c.cell !== RUSSIA_CELL) {
      for (const rp of engine.regionPiecesInCell(set, c.cell)) {
        // a region covering the cell (a whole country, or an oblast around it) holds its front entirely
        out[rp.index]! += rp.whole ? out[n]! : lengthOf(s.toLines(s.intersection(line, s.from(rp.mp))));
      }
      return;
    }
    const cells = ControlEngine.cellsCovering(bboxOf(c.front.map((l) => [l])));
    set.regions.forEach((r, index) => {
      if (r.country !== 'RUS') return;
      if (r.whole) {
        out[index] = out[n]!;
        return;
      }
      for (const id of cells) {
        const piece = engine.regionPieceInRussia(set, index, id);
        if (piece.length) out[index]! += lengthOf(s.toLines(s.intersection(line, s.from(piece))));
      }
    });
  });
  return out;
}
