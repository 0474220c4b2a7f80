/**
 * Which side controls each place, snapshot by snapshot, under the control model of
 * control/engine.ts, applied to points:
 *   a place in Ukraine is contested if a contested polygon holds it, else RU if an occupied
 *   polygon does, else UA;
 *   a place in Russia is contested if it lies in the contested ground that survives sliver
 *   removal, else UA if it lies in the surviving Ukrainian-held ground (dismissed polygons minus
 *   contested and occupied ones), else RU. That ground is computed by the engine's own
 *   `russiaGround`, so a village a few hundred metres inside Russia under the overrun edge of a
 *   Ukrainian polygon stays RU exactly as it does in the area figures.
 *
 * Speed: each distinct feature is tested against the places once (its bbox first, then exact
 * point-in-polygon on its GEOS-repaired geometry), so a snapshot costs a few set operations on
 * place indices. Ground in Russia is needed only for snapshots whose contested or dismissed
 * polygons cover a Russian place, and is computed once per distinct set of features reaching
 * into Russia, as the engine keys it.
 */
import type { SnapshotRow } from '../store/sqlite.js';
import type { PlaceRow } from '../store/places.js';
import type { Geom, Geos } from '../geometry/geos.js';
import { bboxIntersects, bboxOf, type BBox, type MultiPolygon } from '../geometry/flat.js';
import { ControlEngine, type TerritoryFeature } from '../control/engine.js';
import type { Borders, CountryCells } from '../control/borders.js';
import type { Side } from '../analytics/area.js';
import { PolygonIndex } from './pip.js';

/** Side codes as stored in place histories. */
export const SIDE_CODES: readonly Side[] = ['RU', 'UA', 'contested'];
const RU = 0, UA = 1, CONTESTED = 2;

type RussiaFeatures = Parameters<ControlEngine['russiaGround']>[1];

interface FeatureHits {
  /** Indices of places in Ukraine inside the feature. */
  ukr: Uint32Array;
  /** Indices of places in Russia inside the feature, before sliver removal. */
  rus: Uint32Array;
  bbox: BBox;
  /** The feature's part inside Russia, as the engine cuts it (null: none). */
  russia: MultiPolygon | null;
}

export interface PointPlace { lon: number; lat: number; owner: PlaceRow['owner'] }

export class PlaceStatusComputer {
  private readonly engine: ControlEngine;
  private readonly russiaGeom: Geom;
  private readonly russiaBBox: BBox;
  private readonly byLon: Uint32Array;
  private readonly lons: Float64Array;
  private readonly hitsCache = new Map<number, FeatureHits>();
  private readonly groundCache = new Map<string, { ua: PolygonIndex | null; contested: PolygonIndex | null }>();
  readonly stats = { features: 0, russiaGrounds: 0 };

  constructor(private readonly geos: Geos, borders: Borders, private readonly places: PointPlace[], cut?: CountryCells) {
    this.engine = new ControlEngine(geos, borders, cut);
    this.russiaGeom = geos.fromMultiPolygon(borders.russia);
    this.russiaBBox = borders.bbox.RUS;
    this.byLon = Uint32Array.from(places.keys()).sort((a, b) => places[a]!.lon - places[b]!.lon);
    this.lons = Float64Array.from(this.byLon, (i) => places[i]!.lon);
  }

  /** Frees the GEOS geometry this computer holds. */
  close(): void {
    this.geos.destroy(this.russiaGeom);
  }

  /** Indices of the places inside a bbox. */
  private inBBox(b: BBox): number[] {
    let lo = 0, hi = this.lons.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lons[mid]! < b.minX) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let k = lo; k < this.lons.length && this.lons[k]! <= b.maxX; k++) {
      const i = this.byLon[k]!, lat = this.places[i]!.lat;
      if (lat >= b.minY && lat <= b.maxY) out.push(i);
    }
    return out;
  }

  private hits(f: TerritoryFeature): FeatureHits {
    let h = this.hitsCache.get(f.id);
    if (h) return h;
    this.stats.features++;
    h = this.geos.run((s) => {
      const g = s.valid(f.polygons);
      const mp = s.toMultiPolygon(g);
      if (!mp.length) return { ukr: new Uint32Array(0), rus: new Uint32Array(0), bbox: bboxOf(mp), russia: null };
      const index = new PolygonIndex(mp);
      const ukr: number[] = [], rus: number[] = [];
      for (const i of this.inBBox(index.bbox)) {
        const p = this.places[i]!;
        if (index.contains(p.lon, p.lat)) (p.owner === 'UKR' ? ukr : rus).push(i);
      }
      let russia: MultiPolygon | null = null;
      const b = index.bbox;
      if (bboxIntersects(b, this.russiaBBox)) {
        const part = s.clip(this.russiaGeom, b.minX, b.minY, b.maxX, b.maxY);
        if (!this.geos.isEmpty(part)) {
          const inside = s.toMultiPolygon(s.intersection(g, part));
          if (inside.length) russia = inside;
        }
      }
      return { ukr: Uint32Array.from(ukr), rus: Uint32Array.from(rus), bbox: b, russia };
    });
    this.hitsCache.set(f.id, h);
    return h;
  }

  /** Ground in Russia held by UA or contested after sliver removal, for one set of features. */
  private russiaGround(features: TerritoryFeature[]): { ua: PolygonIndex | null; contested: PolygonIndex | null } {
    const reaching = features.filter((f) => this.hits(f).russia);
    const key = reaching.map((f) => `${f.status}:${f.id}`).sort().join(',');
    let g = this.groundCache.get(key);
    if (g) return g;
    this.stats.russiaGrounds++;
    g = this.geos.run((s) => {
      const feats: RussiaFeatures = reaching.map((f) => ({ status: f.status, russia: this.hits(f).russia! }));
      const { ua, contested } = this.engine.russiaGround(s, feats);
      const index = (geom: Geom): PolygonIndex | null => {
        const mp = s.toMultiPolygon(geom);
        return mp.length ? new PolygonIndex(mp) : null;
      };
      return { ua: index(ua), contested: index(contested) };
    });
    this.groundCache.set(key, g);
    return g;
  }

  /** Side codes (SIDE_CODES) of every place for one snapshot's territorial features. */
  sides(features: TerritoryFeature[]): Uint8Array {
    const out = new Uint8Array(this.places.length);
    this.places.forEach((p, i) => { out[i] = p.owner === 'UKR' ? UA : RU; });
    const candidates = new Set<number>();
    // occupied first, then contested over it: contested > occupied inside Ukraine
    for (const f of features) {
      const h = this.hits(f);
      if (f.status === 'occupied') for (const i of h.ukr) out[i] = RU;
      else for (const i of h.rus) candidates.add(i);
    }
    for (const f of features) if (f.status === 'contested') for (const i of this.hits(f).ukr) out[i] = CONTESTED;
    if (candidates.size) {
      const ground = this.russiaGround(features);
      for (const i of candidates) {
        const p = this.places[i]!;
        out[i] = ground.contested?.contains(p.lon, p.lat) ? CONTESTED : ground.ua?.contains(p.lon, p.lat) ? UA : RU;
      }
    }
    return out;
  }
}

/**
 * Run-length histories: for each place, the snapshot ids at which its side changes and the side
 * from there on, as uint32 pairs. `sidesOf` yields the side codes of all places per snapshot.
 * A place missing from `initial` (added since) starts its history at the first new snapshot.
 */
export async function buildRuns(
  snapshots: SnapshotRow[],
  count: number,
  sidesOf: (s: SnapshotRow) => Promise<Uint8Array> | Uint8Array,
  progress?: (done: number, total: number) => void,
  /** Runs already stored for earlier snapshots, to be continued. */
  initial?: Uint32Array[],
): Promise<Uint32Array[]> {
  const runs: number[][] = Array.from({ length: count }, (_, i) => Array.from(initial?.[i] ?? []));
  const last = new Int16Array(count).fill(-1);
  runs.forEach((r, i) => { if (r.length) last[i] = r[r.length - 1]!; });
  for (let k = 0; k < snapshots.length; k++) {
    const s = snapshots[k]!;
    const sides = await sidesOf(s);
    for (let i = 0; i < count; i++) {
      if (sides[i] !== last[i]) {
        runs[i]!.push(s.id, sides[i]!);
        last[i] = sides[i]!;
      }
    }
    progress?.(k + 1, snapshots.length);
  }
  return runs.map((r) => Uint32Array.from(r));
}
