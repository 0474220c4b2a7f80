/**
 * The control model, computed incrementally.
 *
 * For a snapshot, every point of the area of interest (Ukraine with Crimea, and Russia within
 * its cut-out) is controlled by RU, UA or is contested:
 *   inside Ukraine:  contested where a contested polygon lies; else RU where an occupied polygon
 *                    lies; else UA (a "dismissed" polygon inside Ukraine changes nothing);
 *   inside Russia:   contested where a contested polygon lies; else UA where a dismissed polygon
 *                    lies and no occupied one does; else RU — and both the contested and the UA
 *                    ground in Russia pass through sliver removal (control/slivers.ts) first.
 * Precedence on overlap is therefore contested > occupied > dismissed > the border's owner.
 *
 * Speed: consecutive snapshots share most features, and a feature that changes usually changes
 * near the front only. Inside Ukraine the map is cut into cells of 0.5°; each feature is clipped
 * to the cells it covers and each piece hashed. A cell's result depends only on the pieces in it,
 * so it is keyed by their hashes and computed once for the whole history. The ground in Russia
 * (small, and needing sliver removal, which is not local) is computed whole, keyed by the set of
 * features that reach into Russia. Pieces of one polygon tile it exactly and their shared edges
 * cancel in the geodesic sums, so the cell sums equal the whole.
 */
import { createHash } from 'node:crypto';
import type { Geom, Geos, Scope } from '../geometry/geos.js';
import type { BBox, MultiPolygon } from '../geometry/flat.js';
import { bboxOf, bboxIntersects } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import { removeSlivers } from './slivers.js';
import type { Borders } from './borders.js';

export type TerritoryStatus = 'occupied' | 'dismissed' | 'contested';

export interface TerritoryFeature {
  id: number;
  status: TerritoryStatus;
  polygons: MultiPolygon;
}

export interface Region {
  name: string;
  geom: MultiPolygon;
}

/** Per region: ground controlled in km². The last row is "unassigned". */
export interface RegionFigure {
  region: string;
  RU: number;
  UA: number;
  contested: number;
  /** Area of the region inside the area of interest, km². */
  areaKm2: number;
}

export const CONTROL_METHOD_VERSION = 'cells-0.5deg/slivers-1km/v1';
export const SLIVER_RADIUS_KM = 1;
const CELL = 0.5;
const ORIGIN_X = 22, ORIGIN_Y = 44;

interface Piece { hash: string; mp: MultiPolygon }

interface FeatureCache {
  /** Valid polygons of the feature. */
  valid: MultiPolygon;
  bbox: BBox;
  cells: Map<number, Piece>;
  reachesRussia: boolean;
  /** Hash of the feature's part inside Russia: ground in Russia depends on nothing else. */
  russiaHash: string;
}

interface PreparedRegion {
  name: string;
  /** area inside Ukraine and inside Russia, km² */
  aUkr: number;
  aRus: number;
  rusPart: MultiPolygon;
  rusBBox: BBox;
}

export interface PreparedRegionSet {
  name: string;
  regions: PreparedRegion[];
  /** cell id → [region index, region ∩ Ukraine ∩ cell][] */
  cellPieces: Map<number, { index: number; mp: MultiPolygon }[]>;
}

/** Cache of cell results: key → Float64Array of [RU, contested] per region, then totals. */
export type CellCache = Map<string, Float64Array>;

const cellId = (ix: number, iy: number): number => ix * 1000 + iy;

function hashPiece(mp: MultiPolygon): string {
  const h = createHash('sha1');
  for (const poly of mp) {
    h.update(`p${poly.length}`);
    for (const ring of poly) h.update(new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength));
  }
  return h.digest('base64');
}

export class ControlEngine {
  private readonly features = new Map<number, FeatureCache>();
  private readonly ukrBBox: BBox;
  private readonly rusBBox: BBox;
  private readonly ukraineCells = new Map<number, MultiPolygon>();
  private readonly aUkrTotal: number;
  private readonly aRusTotal: number;
  readonly stats = { cellHits: 0, cellMisses: 0, russiaHits: 0, russiaMisses: 0 };

  constructor(private readonly geos: Geos, readonly borders: Borders) {
    this.ukrBBox = bboxOf(borders.ukraine);
    this.rusBBox = bboxOf(borders.russia);
    this.aUkrTotal = areaKm2(borders.ukraine);
    this.aRusTotal = areaKm2(borders.russia);
    geos.run((s) => {
      for (const [id, mp] of this.clipToCells(s, s.valid(borders.ukraine), this.ukrBBox)) this.ukraineCells.set(id, mp);
    });
  }

  /** Clips a valid geometry to grid cells by recursive halving, so each vertex is visited O(log cells) times. */
  private clipToCells(s: Scope, geom: Geom, bbox: BBox): Map<number, MultiPolygon> {
    const out = new Map<number, MultiPolygon>();
    const ix0 = Math.floor((bbox.minX - ORIGIN_X) / CELL), ix1 = Math.floor((bbox.maxX - ORIGIN_X) / CELL);
    const iy0 = Math.floor((bbox.minY - ORIGIN_Y) / CELL), iy1 = Math.floor((bbox.maxY - ORIGIN_Y) / CELL);
    const rec = (g: Geom, x0: number, x1: number, y0: number, y1: number): void => {
      if (this.geos.isEmpty(g)) return;
      if (x0 === x1 && y0 === y1) {
        const mp = s.toMultiPolygon(g);
        if (mp.length) out.set(cellId(x0, y0), mp);
        return;
      }
      const clip = (a0: number, a1: number, b0: number, b1: number): void => {
        const part = s.clip(g, ORIGIN_X + a0 * CELL, ORIGIN_Y + b0 * CELL, ORIGIN_X + (a1 + 1) * CELL, ORIGIN_Y + (b1 + 1) * CELL);
        rec(part, a0, a1, b0, b1);
      };
      if (x1 - x0 >= y1 - y0) {
        const m = Math.floor((x0 + x1) / 2);
        clip(x0, m, y0, y1);
        clip(m + 1, x1, y0, y1);
      } else {
        const m = Math.floor((y0 + y1) / 2);
        clip(x0, x1, y0, m);
        clip(x0, x1, m + 1, y1);
      }
    };
    rec(geom, ix0, ix1, iy0, iy1);
    return out;
  }

  private feature(f: TerritoryFeature): FeatureCache {
    let c = this.features.get(f.id);
    if (c) return c;
    c = this.geos.run((s) => {
      const g = s.valid(f.polygons);
      const valid = s.toMultiPolygon(g);
      const bbox = bboxOf(valid);
      const cells = new Map<number, Piece>();
      if (valid.length && bboxIntersects(bbox, this.ukrBBox)) {
        for (const [id, mp] of this.clipToCells(s, g, bbox)) {
          if (this.ukraineCells.has(id)) cells.set(id, { hash: hashPiece(mp), mp });
        }
      }
      let reachesRussia = false, russiaHash = '';
      if (valid.length && bboxIntersects(bbox, this.rusBBox)) {
        const rus = s.clip(s.from(this.borders.russia), bbox.minX, bbox.minY, bbox.maxX, bbox.maxY);
        if (this.geos.intersects(g, rus)) {
          const inside = s.toMultiPolygon(s.intersection(g, rus));
          reachesRussia = inside.length > 0;
          russiaHash = hashPiece(inside);
        }
      }
      return { valid, bbox, cells, reachesRussia, russiaHash };
    });
    this.features.set(f.id, c);
    return c;
  }

  prepareRegionSet(name: string, regions: Region[]): PreparedRegionSet {
    return this.geos.run((s) => {
      const ukr = s.valid(this.borders.ukraine);
      const rus = s.valid(this.borders.russia);
      const cellPieces = new Map<number, { index: number; mp: MultiPolygon }[]>();
      const prepared = regions.map((r, index) => {
        const g = s.valid(r.geom);
        const inUkr = s.intersection(g, ukr);
        const rusPart = s.toMultiPolygon(s.intersection(g, rus));
        const ukrPart = s.toMultiPolygon(inUkr);
        if (ukrPart.length) {
          for (const [id, mp] of this.clipToCells(s, inUkr, bboxOf(ukrPart))) {
            const list = cellPieces.get(id) ?? [];
            list.push({ index, mp });
            cellPieces.set(id, list);
          }
        }
        return { name: r.name, aUkr: areaKm2(ukrPart), aRus: areaKm2(rusPart), rusPart, rusBBox: bboxOf(rusPart) };
      });
      return { name, regions: prepared, cellPieces };
    });
  }

  /** Figures per region for one snapshot, using and filling `cache`. */
  figures(features: TerritoryFeature[], set: PreparedRegionSet, cache: CellCache, added?: Map<string, Float64Array>): RegionFigure[] {
    const n = set.regions.length;
    const inUkr = new Float64Array(2 * n + 2); // RU, contested per region, then totals
    const inRus = new Float64Array(2 * n + 2); // UA, contested per region, then totals

    // 1. Inside Ukraine, cell by cell.
    const byCell = new Map<number, { occupied: Piece[]; contested: Piece[] }>();
    const russiaFeatures: { f: TerritoryFeature; c: FeatureCache }[] = [];
    for (const f of features) {
      const c = this.feature(f);
      if (c.reachesRussia) russiaFeatures.push({ f, c });
      if (f.status === 'dismissed') continue; // changes nothing inside Ukraine
      for (const [id, piece] of c.cells) {
        let e = byCell.get(id);
        if (!e) byCell.set(id, (e = { occupied: [], contested: [] }));
        e[f.status].push(piece);
      }
    }
    for (const [id, e] of byCell) {
      const key = `${id}|${e.occupied.map((p) => p.hash).sort().join(',')}|${e.contested.map((p) => p.hash).sort().join(',')}`;
      const k = createHash('sha1').update(key).digest('base64');
      let v = cache.get(k);
      if (v) this.stats.cellHits++;
      else {
        this.stats.cellMisses++;
        v = this.computeCell(id, e.occupied, e.contested, set);
        cache.set(k, v);
        added?.set(k, v);
      }
      for (let i = 0; i < v.length; i++) inUkr[i]! += v[i]!;
    }

    // 2. Inside Russia, whole.
    if (russiaFeatures.length) {
      const key = 'rus|' + russiaFeatures.map(({ f, c }) => `${f.status}:${c.russiaHash}`).sort().join(',');
      const k = createHash('sha1').update(key).digest('base64');
      let v = cache.get(k);
      if (v) this.stats.russiaHits++;
      else {
        this.stats.russiaMisses++;
        v = this.computeRussia(russiaFeatures, set);
        cache.set(k, v);
        added?.set(k, v);
      }
      for (let i = 0; i < v.length; i++) inRus[i]! += v[i]!;
    }

    // 3. Assemble: the border's owner holds what no polygon takes from it.
    const rows: RegionFigure[] = set.regions.map((r, i) => {
      const ruU = inUkr[2 * i]!, cU = inUkr[2 * i + 1]!, uaR = inRus[2 * i]!, cR = inRus[2 * i + 1]!;
      return {
        region: r.name,
        RU: ruU + Math.max(0, r.aRus - uaR - cR),
        UA: Math.max(0, r.aUkr - ruU - cU) + uaR,
        contested: cU + cR,
        areaKm2: r.aUkr + r.aRus,
      };
    });
    const ruU = inUkr[2 * n]!, cU = inUkr[2 * n + 1]!, uaR = inRus[2 * n]!, cR = inRus[2 * n + 1]!;
    const total = { RU: ruU + this.aRusTotal - uaR - cR, UA: this.aUkrTotal - ruU - cU + uaR, contested: cU + cR };
    const sum = (k: 'RU' | 'UA' | 'contested' | 'areaKm2'): number => rows.reduce((a, r) => a + r[k], 0);
    rows.push({
      region: 'unassigned',
      RU: total.RU - sum('RU'),
      UA: total.UA - sum('UA'),
      contested: total.contested - sum('contested'),
      areaKm2: this.aUkrTotal + this.aRusTotal - sum('areaKm2'),
    });
    return rows;
  }

  private computeCell(id: number, occupied: Piece[], contested: Piece[], set: PreparedRegionSet): Float64Array {
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    const ukrCell = this.ukraineCells.get(id);
    if (!ukrCell) return out;
    this.geos.run((s) => {
      const u = s.from(ukrCell);
      const c = contested.length ? s.intersection(s.unionAll(contested.map((p) => p.mp)), u) : undefined;
      let ru = occupied.length ? s.intersection(s.unionAll(occupied.map((p) => p.mp)), u) : undefined;
      if (ru && c) ru = s.difference(ru, c);
      const ruMp = ru ? s.toMultiPolygon(ru) : [];
      const cMp = c ? s.toMultiPolygon(c) : [];
      out[2 * n] = areaKm2(ruMp);
      out[2 * n + 1] = areaKm2(cMp);
      for (const rp of set.cellPieces.get(id) ?? []) {
        const r = s.from(rp.mp);
        if (ruMp.length) out[2 * rp.index] = areaKm2(s.toMultiPolygon(s.intersection(ru!, r)));
        if (cMp.length) out[2 * rp.index + 1] = areaKm2(s.toMultiPolygon(s.intersection(c!, r)));
      }
    });
    return out;
  }

  /** Ground in Russia that the snapshot does not leave to Russia: (UA, contested) per region and totals. */
  russiaGround(s: Scope, feats: { f: TerritoryFeature; c: FeatureCache }[]): { ua: Geom; contested: Geom } {
    let box: BBox = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    for (const { c } of feats) box = { minX: Math.min(box.minX, c.bbox.minX), minY: Math.min(box.minY, c.bbox.minY), maxX: Math.max(box.maxX, c.bbox.maxX), maxY: Math.max(box.maxY, c.bbox.maxY) };
    const rus = s.clip(s.from(this.borders.russia), box.minX, box.minY, box.maxX, box.maxY);
    const of = (status: TerritoryStatus): Geom | undefined => {
      const parts = feats.filter((x) => x.f.status === status).map((x) => x.c.valid);
      return parts.length ? s.unionAll(parts) : undefined;
    };
    const d = of('dismissed'), c = of('contested'), o = of('occupied');
    let ua = d ? s.intersection(d, rus) : s.from([]);
    if (c) ua = s.difference(ua, c);
    if (o) ua = s.difference(ua, o);
    const cr = c ? s.intersection(c, rus) : s.from([]);
    return { ua: removeSlivers(s, ua, SLIVER_RADIUS_KM), contested: removeSlivers(s, cr, SLIVER_RADIUS_KM) };
  }

  private computeRussia(feats: { f: TerritoryFeature; c: FeatureCache }[], set: PreparedRegionSet): Float64Array {
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    this.geos.run((s) => {
      const { ua, contested } = this.russiaGround(s, feats);
      const uaMp = s.toMultiPolygon(ua), cMp = s.toMultiPolygon(contested);
      out[2 * n] = areaKm2(uaMp);
      out[2 * n + 1] = areaKm2(cMp);
      if (!uaMp.length && !cMp.length) return;
      const box = bboxOf([...uaMp, ...cMp]);
      set.regions.forEach((r, i) => {
        if (!r.rusPart.length || !bboxIntersects(box, r.rusBBox)) return;
        const rg = s.from(r.rusPart);
        if (uaMp.length) out[2 * i] = areaKm2(s.toMultiPolygon(s.intersection(ua, rg)));
        if (cMp.length) out[2 * i + 1] = areaKm2(s.toMultiPolygon(s.intersection(contested, rg)));
      });
    });
    return out;
  }
}
