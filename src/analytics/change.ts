/**
 * `change`: the ground each side gained and lost between two snapshots, per region, and the
 * changed pieces themselves.
 *
 * Both snapshots are cut into the engine's cells (control/geometry.ts). A cell whose key is the
 * same in both has not changed and costs nothing; in the others every transition from one side
 * to another is the intersection of the first snapshot's ground of one side with the second's of
 * the other. The three sides tile each cell, so per side and region
 *   gained − lost = area at the second date − area at the first,
 * up to the rounding of stored cell geometry (1e-7°), which the tests bound.
 */
import { getGeos, type Geom } from '../geometry/geos.js';
import { bboxOf } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import { ControlEngine, RUSSIA_CELL, type PreparedRegionSet } from '../control/engine.js';
import { cellGeometryModel, fromUrl, type ControlGeometry, type KeyedCell } from '../control/geometry.js';
import { UserError } from '../model/errors.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import { areaAt, round, SIDES, snapshotRef, type Side, type SnapshotRef } from './area.js';
import { cellTransitions, decodeTransitions, encodeTransitions, TRANSITIONS_VERSION, type ChangePiece } from './transitions.js';
import type { FigureService, Provenance } from './figures.js';

export type { ChangePiece } from './transitions.js';

/** The key stored for a cell absent at one of the two dates (it holds no ground there). */
const NO_CELL = Buffer.alloc(0);

export interface ChangeRow {
  region: string;
  side: Side;
  from_km2: number;
  to_km2: number;
  gained_km2: number;
  lost_km2: number;
  net_km2: number;
}

export interface ChangeResult {
  from: SnapshotRef;
  to: SnapshotRef;
  provenance: Provenance;
  rows: ChangeRow[];
}

export class ChangeService {
  private readonly geometry: ControlGeometry;

  constructor(private readonly store: Store, private readonly figures: FigureService) {
    this.geometry = figures.controlGeometry();
  }

  /** The last pair's pieces: `change --geojson` asks for the table and the pieces of one pair. */
  private last?: { a: number; b: number; pieces: Promise<ChangePiece[]> };

  /** Every piece of ground that changed side between the two snapshots. */
  pieces(a: SnapshotRow, b: SnapshotRow): Promise<ChangePiece[]> {
    if (this.last?.a === a.id && this.last.b === b.id) return this.last.pieces;
    const pieces = this.computePieces(a, b);
    this.last = { a: a.id, b: b.id, pieces };
    pieces.catch(() => { if (this.last?.pieces === pieces) this.last = undefined; });
    return pieces;
  }

  /**
   * The transitions of every differing cell: stored ones (by the cell's keys at both dates),
   * else computed from the cells' ground and stored. A computed cell's pieces are used as they
   * will be read back (rounded to 1e-7°), so no answer depends on whether they were stored.
   */
  private async computePieces(a: SnapshotRow, b: SnapshotRow): Promise<ChangePiece[]> {
    const model = `${cellGeometryModel(this.figures.model(b.source))}|${TRANSITIONS_VERSION}`;
    const keyBytes = (k: string | undefined): Buffer => (k === undefined ? NO_CELL : fromUrl(k));
    const byCell = new Map<number, ChangePiece[]>();
    const fresh: { a: Buffer; b: Buffer; blob: Buffer }[] = [];
    // the cells and transitions computed are stored together, at the end
    await this.geometry.writingOnce(async () => {
      const [cellsA, cellsB] = await this.geometry.differingCells(a, b, (id, ka, kb) => {
        const blob = this.store.cellTransitions(model, keyBytes(ka), keyBytes(kb));
        if (blob) byCell.set(id, decodeTransitions(blob, id));
        return !blob;
      });
      const byId = (cells: KeyedCell[]): Map<number, KeyedCell> => new Map(cells.map((c) => [c.cell, c]));
      const mapA = byId(cellsA), mapB = byId(cellsB);
      const geos = await getGeos();
      for (const id of new Set([...mapA.keys(), ...mapB.keys()])) {
        const ca = mapA.get(id), cb = mapB.get(id);
        const blob = encodeTransitions(geos.run((s) => cellTransitions(s, id, ca, cb)));
        fresh.push({ a: keyBytes(ca?.key), b: keyBytes(cb?.key), blob });
        byCell.set(id, decodeTransitions(blob, id));
      }
    }, () => { for (const f of fresh) this.store.putCellTransitions(model, f.a, f.b, f.blob); });
    return [...byCell.keys()].sort((x, y) => x - y).flatMap((id) => byCell.get(id)!);
  }

  /** Gains and losses per side and region between two snapshots (a before b). */
  async change(a: SnapshotRow, b: SnapshotRow, regionSet: string): Promise<ChangeResult> {
    const engine = await this.figures.getEngine();
    const set = await this.figures.prepare(regionSet);
    const pieces = await this.pieces(a, b);
    const names = [...set.regions.map((r) => r.name), 'unassigned'];
    const n = set.regions.length;
    // per region index (n = unassigned) and side: gained, lost
    const gained = names.map(() => ({ RU: 0, UA: 0, contested: 0 }));
    const lost = names.map(() => ({ RU: 0, UA: 0, contested: 0 }));
    const geos = await getGeos();
    for (const p of pieces) {
      let assigned = 0;
      for (const { index, km2 } of regionShares(geos, engine, set, p)) {
        gained[index]![p.to] += km2;
        lost[index]![p.from] += km2;
        assigned += km2;
      }
      gained[n]![p.to] += p.km2 - assigned;
      lost[n]![p.from] += p.km2 - assigned;
    }
    const [fa, fb] = [await areaAt(this.figures, a, regionSet), await areaAt(this.figures, b, regionSet)];
    const areaOf = (r: typeof fa, region: string, side: Side): number => r.rows.find((x) => x.region === region && x.side === side)?.km2 ?? 0;
    const rows: ChangeRow[] = [];
    names.forEach((region, i) => {
      for (const side of SIDES) {
        const g = gained[i]![side], l = lost[i]![side];
        rows.push({ region, side, from_km2: areaOf(fa, region, side), to_km2: areaOf(fb, region, side), gained_km2: round(g, 1), lost_km2: round(l, 1), net_km2: round(g - l, 1) });
      }
    });
    return { from: snapshotRef(a), to: snapshotRef(b), provenance: this.figures.provenance(b, regionSet), rows };
  }
}

/** How much of a piece lies in each region of the set (regions in one country, as the figures count them). */
function regionShares(geos: Awaited<ReturnType<typeof getGeos>>, engine: ControlEngine, set: PreparedRegionSet, p: ChangePiece): { index: number; km2: number }[] {
  const out: { index: number; km2: number }[] = [];
  geos.run((s) => {
    // a transition's faces can share edges, rounded to 1e-7° as stored: repaired into valid
    // polygons (MakeValid merges them) where a region cuts the piece, and only there
    let repaired: Geom | undefined;
    const piece = (): Geom => (repaired ??= s.valid(p.mp));
    if (p.cell !== RUSSIA_CELL) {
      for (const rp of engine.regionPiecesInCell(set, p.cell)) {
        // a region covering the cell (a whole country, or an oblast around it) holds the piece entirely
        const km2 = rp.whole ? p.km2 : areaKm2(s.toMultiPolygon(s.intersection(piece(), s.from(rp.mp))));
        if (km2 > 0) out.push({ index: rp.index, km2 });
      }
      return;
    }
    const cells = ControlEngine.cellsCovering(bboxOf(p.mp));
    set.regions.forEach((r, index) => {
      if (r.country !== 'RUS') return;
      if (r.whole) {
        out.push({ index, km2: p.km2 });
        return;
      }
      let km2 = 0;
      for (const id of cells) {
        const part = engine.regionPieceInRussia(set, index, id);
        if (part.length) km2 += areaKm2(s.toMultiPolygon(s.intersection(piece(), s.from(part))));
      }
      if (km2 > 0) out.push({ index, km2 });
    });
  });
  return out;
}

/** Keeps only one region's rows (and checks that it exists). */
export function onlyRegion<T extends { region: string }>(rows: T[], region: string | undefined, setName: string): T[] {
  if (region === undefined) return rows;
  const names = [...new Set(rows.map((r) => r.region))];
  const match = names.filter((n) => n === region);
  if (match.length) return rows.filter((r) => r.region === region);
  const ci = names.filter((n) => n.toLowerCase() === region.toLowerCase() || n.toLowerCase().startsWith(region.toLowerCase()));
  if (ci.length === 1) return rows.filter((r) => r.region === ci[0]);
  throw new UserError(`no region "${region}" in set ${setName}${ci.length > 1 ? `; did you mean ${ci.join(' or ')}?` : `; regions: ${names.filter((x) => x !== 'unassigned').slice(0, 8).join(', ')}${names.length > 9 ? ', …' : ''}`}`);
}
