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
 * Polygons outside both countries count for nothing.
 *
 * Speed: consecutive snapshots share most features, and a feature that changes usually changes
 * near the front only. Both countries are cut into cells of 0.5°; each feature is clipped to the
 * cells it covers and each piece hashed. Inside Ukraine a cell's result depends only on the pieces
 * in it, so it is keyed by their hashes and computed once for the whole history. The ground in
 * Russia (small, and needing sliver removal, which is not local) is computed whole, keyed by the
 * hashes of the features' parts inside Russia. Pieces of one polygon tile it exactly and their
 * shared edges cancel in the geodesic sums, so the cell sums equal the whole.
 *
 * Regions: an administrative region lies in one country. It is counted inside the country that
 * holds most of it; whatever it overhangs into the other (where two datasets draw the border
 * differently) falls to "unassigned" rather than to a side.
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
  /** Area of the region counted inside the area of interest, km². */
  areaKm2: number;
}

export const CONTROL_METHOD_VERSION = 'cells-0.5deg/slivers-1km/regions-in-one-country/v2';
export const SLIVER_RADIUS_KM = 1;
const CELL = 0.5;
const ORIGIN_X = 20, ORIGIN_Y = 40;

interface Piece { hash: string; mp: MultiPolygon }
type Country = 'UKR' | 'RUS';

interface FeatureCache {
  bbox: BBox;
  /** Pieces inside Ukraine's cells (clipped to the cell, not yet to the border). */
  cells: Map<number, Piece>;
  /** The feature's part inside Russia, and its hash: ground in Russia depends on nothing else. */
  russia: MultiPolygon;
  russiaHash: string;
}

interface CellPiece { cell: number; mp: MultiPolygon; bbox: BBox }

interface PreparedRegion {
  name: string;
  /** The country the region is counted in. */
  country: Country;
  /** Area counted, km² (inside its country). */
  area: number;
  /** For a region in Russia: its pieces, cell by cell, inside Russia. */
  rusPieces: CellPiece[];
}

export interface PreparedRegionSet {
  name: string;
  regions: PreparedRegion[];
  /** cell id → [region index, region ∩ Ukraine ∩ cell][] */
  cellPieces: Map<number, { index: number; mp: MultiPolygon }[]>;
}

/** Cache of cell results: key → Float64Array of [RU or UA, contested] per region, then totals. */
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

function overlap(a: BBox, b: BBox): BBox {
  return { minX: Math.max(a.minX, b.minX), minY: Math.max(a.minY, b.minY), maxX: Math.min(a.maxX, b.maxX), maxY: Math.min(a.maxY, b.maxY) };
}

export class ControlEngine {
  private readonly features = new Map<number, FeatureCache>();
  private readonly bbox: Record<Country, BBox>;
  /** Each country cut into cells: cell id → the country's part of the cell. */
  private readonly cells: Record<Country, Map<number, MultiPolygon>> = { UKR: new Map(), RUS: new Map() };
  private readonly total: Record<Country, number>;
  readonly stats = { cellHits: 0, cellMisses: 0, russiaHits: 0, russiaMisses: 0 };

  constructor(private readonly geos: Geos, readonly borders: Borders) {
    this.bbox = { UKR: bboxOf(borders.ukraine), RUS: bboxOf(borders.russia) };
    this.total = { UKR: areaKm2(borders.ukraine), RUS: areaKm2(borders.russia) };
    geos.run((s) => {
      for (const [country, mp] of [['UKR', borders.ukraine], ['RUS', borders.russia]] as const) {
        for (const [id, piece] of this.clipToCells(s, s.valid(mp), this.bbox[country])) this.cells[country].set(id, piece);
      }
    });
  }

  /** Clips a valid geometry to grid cells by recursive halving, so each vertex is visited O(log cells) times. */
  private clipToCells(s: Scope, geom: Geom, bbox: BBox): Map<number, MultiPolygon> {
    const out = new Map<number, MultiPolygon>();
    if (!(bbox.minX <= bbox.maxX && bbox.minY <= bbox.maxY)) return out;
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

  /** A geometry's parts inside a country, cell by cell. */
  private insideCountry(s: Scope, geom: Geom, bbox: BBox, country: Country): CellPiece[] {
    const out: CellPiece[] = [];
    if (!bboxIntersects(bbox, this.bbox[country])) return out;
    for (const [id, piece] of this.clipToCells(s, geom, overlap(bbox, this.bbox[country]))) {
      const c = this.cells[country].get(id);
      if (!c) continue;
      const mp = s.toMultiPolygon(s.intersection(s.from(piece), s.from(c)));
      if (mp.length) out.push({ cell: id, mp, bbox: bboxOf(mp) });
    }
    return out;
  }

  private feature(f: TerritoryFeature): FeatureCache {
    let c = this.features.get(f.id);
    if (c) return c;
    c = this.geos.run((s) => {
      const g = s.valid(f.polygons);
      const bbox = bboxOf(s.toMultiPolygon(g));
      const cells = new Map<number, Piece>();
      if (bboxIntersects(bbox, this.bbox.UKR)) {
        for (const [id, piece] of this.clipToCells(s, g, overlap(bbox, this.bbox.UKR))) {
          if (!this.cells.UKR.has(id)) continue;
          // ClipByRect can leave a degenerate ring on the cell's edge; repair once, here
          const mp = s.toMultiPolygon(s.valid(piece));
          if (mp.length) cells.set(id, { hash: hashPiece(mp), mp });
        }
      }
      const russia = this.insideCountry(s, g, bbox, 'RUS').flatMap((p) => p.mp);
      return { bbox, cells, russia, russiaHash: russia.length ? hashPiece(russia) : '' };
    });
    this.features.set(f.id, c);
    return c;
  }

  prepareRegionSet(name: string, regions: Region[]): PreparedRegionSet {
    return this.geos.run((s) => {
      const cellPieces = new Map<number, { index: number; mp: MultiPolygon }[]>();
      const prepared = regions.map((r, index): PreparedRegion => {
        const g = s.valid(r.geom);
        const bbox = bboxOf(s.toMultiPolygon(g));
        const inUkr = this.insideCountry(s, g, bbox, 'UKR');
        const inRus = this.insideCountry(s, g, bbox, 'RUS');
        const aUkr = inUkr.reduce((a, p) => a + areaKm2(p.mp), 0);
        const aRus = inRus.reduce((a, p) => a + areaKm2(p.mp), 0);
        if (aUkr >= aRus) {
          for (const p of inUkr) {
            const list = cellPieces.get(p.cell) ?? [];
            list.push({ index, mp: p.mp });
            cellPieces.set(p.cell, list);
          }
          return { name: r.name, country: 'UKR', area: aUkr, rusPieces: [] };
        }
        return { name: r.name, country: 'RUS', area: aRus, rusPieces: inRus };
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
      if (c.russia.length) russiaFeatures.push({ f, c });
      if (f.status === 'dismissed') continue; // changes nothing inside Ukraine
      for (const [id, piece] of c.cells) {
        let e = byCell.get(id);
        if (!e) byCell.set(id, (e = { occupied: [], contested: [] }));
        e[f.status].push(piece);
      }
    }
    const lookup = (key: string, compute: () => Float64Array, hit: 'cellHits' | 'russiaHits', miss: 'cellMisses' | 'russiaMisses'): Float64Array => {
      const k = createHash('sha1').update(key).digest('base64');
      let v = cache.get(k);
      if (v) this.stats[hit]++;
      else {
        this.stats[miss]++;
        v = compute();
        cache.set(k, v);
        added?.set(k, v);
      }
      return v;
    };
    for (const [id, e] of byCell) {
      const key = `${id}|${e.occupied.map((p) => p.hash).sort().join(',')}|${e.contested.map((p) => p.hash).sort().join(',')}`;
      const v = lookup(key, () => this.computeCell(id, e.occupied, e.contested, set), 'cellHits', 'cellMisses');
      for (let i = 0; i < v.length; i++) inUkr[i]! += v[i]!;
    }

    // 2. Inside Russia, whole.
    if (russiaFeatures.length) {
      const key = 'rus|' + russiaFeatures.map(({ f, c }) => `${f.status}:${c.russiaHash}`).sort().join(',');
      const v = lookup(key, () => this.computeRussia(russiaFeatures, set), 'russiaHits', 'russiaMisses');
      for (let i = 0; i < v.length; i++) inRus[i]! += v[i]!;
    }

    // 3. Assemble: the border's owner holds what no polygon takes from it.
    const rows: RegionFigure[] = set.regions.map((r, i) => {
      if (r.country === 'UKR') {
        const ru = inUkr[2 * i]!, c = inUkr[2 * i + 1]!;
        return { region: r.name, RU: ru, UA: Math.max(0, r.area - ru - c), contested: c, areaKm2: r.area };
      }
      const ua = inRus[2 * i]!, c = inRus[2 * i + 1]!;
      return { region: r.name, RU: Math.max(0, r.area - ua - c), UA: ua, contested: c, areaKm2: r.area };
    });
    const ruU = inUkr[2 * n]!, cU = inUkr[2 * n + 1]!, uaR = inRus[2 * n]!, cR = inRus[2 * n + 1]!;
    const total = { RU: ruU + this.total.RUS - uaR - cR, UA: this.total.UKR - ruU - cU + uaR, contested: cU + cR };
    const sum = (k: 'RU' | 'UA' | 'contested' | 'areaKm2'): number => rows.reduce((a, r) => a + r[k], 0);
    rows.push({
      region: 'unassigned',
      RU: total.RU - sum('RU'),
      UA: total.UA - sum('UA'),
      contested: total.contested - sum('contested'),
      areaKm2: this.total.UKR + this.total.RUS - sum('areaKm2'),
    });
    return rows;
  }

  private computeCell(id: number, occupied: Piece[], contested: Piece[], set: PreparedRegionSet): Float64Array {
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    const ukrCell = this.cells.UKR.get(id);
    if (!ukrCell) return out;
    this.geos.run((s) => {
      const u = s.from(ukrCell);
      const c = contested.length ? s.intersection(s.unionAll(contested.map((p) => p.mp), { valid: true }), u) : undefined;
      let ru = occupied.length ? s.intersection(s.unionAll(occupied.map((p) => p.mp), { valid: true }), u) : undefined;
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

  /** Ground in Russia that the snapshot does not leave to Russia, slivers removed. */
  russiaGround(s: Scope, feats: { f: TerritoryFeature; c: FeatureCache }[]): { ua: Geom; contested: Geom } {
    const of = (status: TerritoryStatus): Geom | undefined => {
      const parts = feats.filter((x) => x.f.status === status).map((x) => x.c.russia);
      return parts.length ? s.unionAll(parts, { valid: true }) : undefined;
    };
    const d = of('dismissed'), c = of('contested'), o = of('occupied');
    let ua = d ?? s.from([]);
    if (d && c) ua = s.difference(ua, c);
    if (d && o) ua = s.difference(ua, o);
    return { ua: removeSlivers(s, ua, SLIVER_RADIUS_KM), contested: removeSlivers(s, c ?? s.from([]), SLIVER_RADIUS_KM) };
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
        for (const p of r.rusPieces) {
          if (!bboxIntersects(box, p.bbox)) continue;
          const rg = s.from(p.mp);
          if (uaMp.length) out[2 * i]! += areaKm2(s.toMultiPolygon(s.intersection(ua, rg)));
          if (cMp.length) out[2 * i + 1]! += areaKm2(s.toMultiPolygon(s.intersection(contested, rg)));
        }
      });
    });
    return out;
  }
}

