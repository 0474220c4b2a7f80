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
import type { Geom, Geos, Prepared, Scope } from '../geometry/geos.js';
import type { BBox, Line, MultiPolygon } from '../geometry/flat.js';
import { bboxOf, bboxIntersects } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import { removeSlivers } from './slivers.js';
import { awayFromOutline, frontInCell, mayHaveFront, outlineInCell, OutlineNear, OUTLINE_MARGIN_DEG, segmentsNear } from './front-line.js';
import type { Borders, CountryCells } from './borders.js';
import type { FreshGround } from './ground-store.js';

export type TerritoryStatus = 'occupied' | 'dismissed' | 'contested';

export interface TerritoryFeature {
  id: number;
  status: TerritoryStatus;
  readonly polygons: MultiPolygon;
}

export interface Region {
  name: string;
  readonly geom: MultiPolygon;
  /** Set when the region is exactly that country (the built-in set): its cells are the country's. */
  country?: Country;
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
/** Cells per side of the blocks that countries are first cut into. */
const BLOCK = 8;
const ORIGIN_X = 20, ORIGIN_Y = 40;
/** The grid, as data/borders/ukraine-russia.cells.bin records the one it was cut on. */
export const GRID = `origin ${ORIGIN_X},${ORIGIN_Y}; cell ${CELL}°; blocks of ${BLOCK}`;

interface Piece { hash: string; mp: MultiPolygon }

/**
 * Where a feature lies on the grid: the hash of its piece in each Ukrainian cell it covers, and
 * of its part inside Russia ('' when none). Enough to key every cell of a snapshot without
 * cutting a polygon; kept in the database (control/feature-index.ts), so a new snapshot cuts only
 * its new features, and only the cells whose key is new are cut out of the others.
 */
export interface FeatureIndex { cells: Map<number, string>; russiaHash: string }

/** A feature with a piece in a cell, and that piece's hash. */
export interface CellMember { f: TerritoryFeature; hash: string }
/** The pieces of a snapshot in one cell of Ukraine, and the key that identifies their content. */
export interface CellEntry { id: number; key: string; occupied: CellMember[]; contested: CellMember[] }
/** The features of a snapshot reaching into Russia, and the key of their parts there. */
export interface RussiaEntry { key: string; feats: TerritoryFeature[] }
/** A snapshot cut into cells: what every result for it is computed (and cached) from. */
export interface SnapshotCells { cells: CellEntry[]; russia?: RussiaEntry }

/** The cell id under which the ground inside Russia (computed whole) is keyed. */
export const RUSSIA_CELL = -1;

/**
 * Control geometry of one cell (or of the ground in Russia): the sides' ground other than the
 * cell's default owner, and the front line inside it. In a Ukrainian cell `ua` is empty (UA is
 * whatever is left of Ukraine); for Russia `ru` is empty likewise.
 */
export interface CellControl { ru: MultiPolygon; ua: MultiPolygon; contested: MultiPolygon; front: Line[] }

/** How many computed cells' ground the engine keeps (see cellGround). */
const RECENT_GROUND_CELLS = 64;

const digest = (key: string): string => createHash('sha1').update(key).digest('base64');

export type Country = 'UKR' | 'RUS';

interface FeatureCache {
  /** Pieces inside Ukraine's cells (clipped to the cell, not yet to the border). */
  cells: Map<number, Piece>;
  /** The feature's part inside Russia, and its hash: ground in Russia depends on nothing else. */
  russia: MultiPolygon;
  russiaHash: string;
}

/** A feature's part inside Russia with its status: what the ground in Russia is computed from. */
export interface RussiaPart { status: TerritoryStatus; russia: MultiPolygon }

interface CellPiece { cell: number; mp: MultiPolygon; bbox: BBox }

/** Where a region is counted and how large it is there: computed once per region set and model. */
export interface RegionPlacement {
  country: Country;
  areaKm2: number;
  /** The bounding box of the region's polygons as given (placements stored before it lack it). */
  bbox?: BBox;
}

interface PreparedRegion extends RegionPlacement {
  name: string;
  whole: boolean;
  /** The region's polygons as given; none for a whole country, whose cells are the country's own. */
  polygons: MultiPolygon | undefined;
  /** Its valid geometry in GEOS, made when first needed and kept for the engine's lifetime. */
  geom?: Geom;
  bbox: BBox;
}

/**
 * A region's part of one Ukrainian cell (region ∩ Ukraine ∩ cell). `whole` when it is all of
 * Ukraine's part of the cell: anything in the cell then lies wholly in the region, and callers
 * take its area as it is instead of intersecting (most cells lie inside one oblast).
 */
export interface RegionPiece { index: number; mp: MultiPolygon; whole: boolean }

/** A region piece this close to its cell's area (relative) covers the cell: 1e-9 of 0.5°² is ~3 m². */
const WHOLE_CELL_TOLERANCE = 1e-9;

export interface PreparedRegionSet {
  name: string;
  regions: PreparedRegion[];
  /** cell id → the set's regions in Ukraine's part of the cell, filled as cells are needed */
  cellPieces: Map<number, RegionPiece[]>;
  /** "region index/cell id" → region ∩ Russia ∩ cell, filled as needed */
  rusPieces: Map<string, MultiPolygon>;
}

/** Cache of cell results: key → Float64Array of [RU or UA, contested] per region, then totals. */
export interface CellCache {
  get(key: string): Float64Array | undefined;
  set(key: string, value: Float64Array): unknown;
}

const cellId = (ix: number, iy: number): number => ix * 1000 + iy;
const cellBBox = (id: number): BBox => {
  const x = ORIGIN_X + Math.floor(id / 1000) * CELL, y = ORIGIN_Y + (id % 1000) * CELL;
  return { minX: x, minY: y, maxX: x + CELL, maxY: y + CELL };
};

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
  /** Features cut whole (their index was not known): every piece of them. */
  private readonly features = new Map<number, FeatureCache>();
  /** Feature indexes, known (given by the caller) or made by cutting. */
  private readonly indexes = new Map<number, FeatureIndex>();
  /** Indexes made by cutting since the caller last took them (to store them). */
  private readonly freshIndexes = new Map<number, FeatureIndex>();
  /** Pieces of features not cut whole, cut for the cells that needed them: feature id → cell id → piece. */
  private readonly partial = new Map<number, Map<number, MultiPolygon>>();
  /** Parts inside Russia of features not cut whole. */
  private readonly russiaParts = new Map<number, MultiPolygon>();
  /** The ground of the last cells computed, by key (see cellGround). */
  private readonly recentGround = new Map<string, { ru: Geom | undefined; c: Geom | undefined }>();
  private readonly bbox: Record<Country, BBox>;
  /** Each country as one GEOS geometry, made on first use and kept for the engine's lifetime. */
  private readonly country: Partial<Record<Country, Geom>> = {};
  /** Each country cut into cells as they are needed: cell id → the country's part of it (null: none). */
  private readonly cells: Record<Country, Map<number, MultiPolygon | null>> = { UKR: new Map(), RUS: new Map() };
  /** The countries precut into cells, when cut from these borders on this grid: a cell it lacks has no land. */
  private readonly cut?: CountryCells;
  private readonly total: Record<Country, number>;
  readonly stats = { cellHits: 0, cellMisses: 0, russiaHits: 0, russiaMisses: 0 };

  /**
   * `cut`: the countries already cut into this engine's cells (data/borders/*.cells.bin), used
   * when they were cut from these borders on this grid; otherwise cells are cut as needed.
   */
  constructor(private readonly geos: Geos, readonly borders: Borders, cut?: CountryCells) {
    this.bbox = borders.bbox;
    this.total = { UKR: borders.areaKm2.UKR, RUS: borders.areaKm2.RUS };
    // the cells are taken from `cut` as they are needed (it may read them from disk only then)
    if (cut && cut.grid === GRID && cut.borders === borders.id) this.cut = cut;
  }

  /**
   * Everything a feature's cut depends on besides its own geometry: borders, grid, method and
   * the GEOS build. Stored feature indexes are valid only under the same fingerprint.
   */
  get cutFingerprint(): string {
    return `${this.borders.id}|${GRID}|${CONTROL_METHOD_VERSION}|GEOS ${this.geos.version}`;
  }

  /** Each country as one GEOS geometry (the border file is valid: scripts/build-borders.ts repaired it). */
  countryGeom(country: Country): Geom {
    this.country[country] ??= this.geos.fromMultiPolygon(country === 'UKR' ? this.borders.ukraine : this.borders.russia);
    return this.country[country];
  }

  /**
   * Every cell of a country with land in it, cut as this engine cuts them on demand; what
   * scripts/build-borders.ts stores in data/borders/ukraine-russia.cells.bin.
   */
  cutCountry(country: Country): Map<number, MultiPolygon> {
    const b = this.bbox[country], out = new Map<number, MultiPolygon>();
    for (let ix = Math.floor((b.minX - ORIGIN_X) / CELL); ix <= Math.floor((b.maxX - ORIGIN_X) / CELL); ix++) {
      for (let iy = Math.floor((b.minY - ORIGIN_Y) / CELL); iy <= Math.floor((b.maxY - ORIGIN_Y) / CELL); iy++) {
        const c = this.countryCell(country, cellId(ix, iy));
        if (c) out.set(cellId(ix, iy), c);
      }
    }
    return out;
  }

  /** The country's part of a block of BLOCK×BLOCK cells, cut on first use (null: none). */
  private readonly blocks: Record<Country, Map<number, Geom | null>> = { UKR: new Map(), RUS: new Map() };

  private countryBlock(country: Country, bx: number, by: number): Geom | null {
    const key = bx * 1000 + by;
    let g = this.blocks[country].get(key);
    if (g === undefined) {
      const minX = ORIGIN_X + bx * BLOCK * CELL, minY = ORIGIN_Y + by * BLOCK * CELL;
      const b = { minX, minY, maxX: minX + BLOCK * CELL, maxY: minY + BLOCK * CELL };
      g = null;
      if (bboxIntersects(b, this.bbox[country])) {
        const clipped = this.geos.clipByRect(this.countryGeom(country), b.minX, b.minY, b.maxX, b.maxY);
        if (this.geos.isEmpty(clipped)) this.geos.destroy(clipped);
        else g = clipped;
      }
      this.blocks[country].set(key, g);
    }
    return g;
  }

  /** The country's part of a cell, cut on first use from its block, so a cell costs little. */
  private countryCell(country: Country, id: number): MultiPolygon | null {
    let c = this.cells[country].get(id);
    if (c === undefined && this.cut) {
      c = this.cut[country].get(id) ?? null;
      this.cells[country].set(id, c);
    }
    if (c === undefined) {
      const ix = Math.floor(id / 1000), iy = id % 1000;
      const block = this.countryBlock(country, Math.floor(ix / BLOCK), Math.floor(iy / BLOCK));
      const b = cellBBox(id);
      c = block ? this.geos.run((s) => s.toMultiPolygon(s.clip(block, b.minX, b.minY, b.maxX, b.maxY))) : [];
      if (!c.length) c = null;
      this.cells[country].set(id, c);
    }
    return c;
  }

  /** A country's part of a cell in GEOS, with its prepared form, kept for the engine's lifetime (null: none). */
  private readonly cellGeoms: Record<Country, Map<number, { geom: Geom; prepared: Prepared } | null>> = { UKR: new Map(), RUS: new Map() };
  private countryCellGeom(country: Country, id: number): { geom: Geom; prepared: Prepared } | null {
    let g = this.cellGeoms[country].get(id);
    if (g === undefined) {
      const c = this.countryCell(country, id);
      g = null;
      if (c) {
        const geom = this.geos.fromMultiPolygon(c);
        g = { geom, prepared: this.geos.prepare(geom) };
      }
      this.cellGeoms[country].set(id, g);
    }
    return g;
  }

  /** True when some cell of the range holds part of the country. */
  private hasLand(country: Country, x0: number, x1: number, y0: number, y1: number): boolean {
    // with the cells precut, which have land is known without reading any
    const has = this.cut ? (id: number) => this.cut![country].has(id) : (id: number) => this.countryCell(country, id) !== null;
    for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) if (has(cellId(x, y))) return true;
    return false;
  }

  /**
   * Clips a valid geometry to grid cells by recursive halving, so each vertex is visited
   * O(log cells) times; parts over no land of `country` are dropped as soon as they are cut off.
   * `only`: the cells wanted (default: all). Other branches of the halving are not cut, and the
   * wanted cells' pieces come out of the very same sequence of clips as when all are cut, so they
   * are the same to the bit (their hashes are what cells are keyed by).
   */
  private clipToCells(s: Scope, geom: Geom, bbox: BBox, country: Country, only?: Set<number>): Map<number, MultiPolygon> {
    const out = new Map<number, MultiPolygon>();
    if (!(bbox.minX <= bbox.maxX && bbox.minY <= bbox.maxY)) return out;
    const ix0 = Math.floor((bbox.minX - ORIGIN_X) / CELL), ix1 = Math.floor((bbox.maxX - ORIGIN_X) / CELL);
    const iy0 = Math.floor((bbox.minY - ORIGIN_Y) / CELL), iy1 = Math.floor((bbox.maxY - ORIGIN_Y) / CELL);
    const wanted = only && [...only].map((id) => [Math.floor(id / 1000), id % 1000] as const);
    const rec = (g: Geom, x0: number, x1: number, y0: number, y1: number): void => {
      if (wanted && !wanted.some(([x, y]) => x >= x0 && x <= x1 && y >= y0 && y <= y1)) return;
      if (this.geos.isEmpty(g) || !this.hasLand(country, x0, x1, y0, y1)) return;
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
    for (const [id, piece] of this.clipToCells(s, geom, overlap(bbox, this.bbox[country]), country)) {
      const c = this.countryCellGeom(country, id);
      if (!c) continue;
      const g = s.from(piece);
      // most pieces in a border cell lie wholly on the other side: no overlay for them
      if (!this.geos.preparedIntersects(c.prepared, g)) continue;
      const mp = s.toMultiPolygon(s.intersection(g, c.geom));
      if (mp.length) out.push({ cell: id, mp, bbox: bboxOf(mp) });
    }
    return out;
  }

  /**
   * Polygons made valid in GEOS, with the bounding box of the valid geometry: every cut starts
   * here, and the box decides the cells the halving covers (so it must be this very box).
   */
  private static validWithBBox(s: Scope, mp: MultiPolygon): { g: Geom; bbox: BBox } {
    const g = s.valid(mp);
    return { g, bbox: bboxOf(s.toMultiPolygon(g)) };
  }

  /** Cuts a feature whole: every piece of it, in Ukraine's cells and inside Russia. */
  private feature(f: TerritoryFeature): FeatureCache {
    let c = this.features.get(f.id);
    if (c) return c;
    c = this.geos.run((s) => {
      const { g, bbox } = ControlEngine.validWithBBox(s, f.polygons);
      const cells = new Map<number, Piece>();
      for (const [id, mp] of this.ukrainePieces(s, g, bbox)) cells.set(id, { hash: hashPiece(mp), mp });
      const russia = this.insideCountry(s, g, bbox, 'RUS').flatMap((p) => p.mp);
      return { cells, russia, russiaHash: russia.length ? hashPiece(russia) : '' };
    });
    this.features.set(f.id, c);
    return c;
  }

  /** A feature's pieces in Ukraine's cells (`only`: just those cells). */
  private ukrainePieces(s: Scope, g: Geom, bbox: BBox, only?: Set<number>): Map<number, MultiPolygon> {
    const out = new Map<number, MultiPolygon>();
    if (!bboxIntersects(bbox, this.bbox.UKR)) return out;
    for (const [id, piece] of this.clipToCells(s, g, overlap(bbox, this.bbox.UKR), 'UKR', only)) {
      if (!this.countryCell('UKR', id)) continue;
      // ClipByRect can leave a degenerate ring on the cell's edge; repair once, here
      const mp = s.toMultiPolygon(s.valid(piece));
      if (mp.length) out.set(id, mp);
    }
    return out;
  }

  /** Indexes the caller knows (stored ones): features with one are cut only where a cell needs them. */
  knowIndexes(indexes: Iterable<[number, FeatureIndex]>): void {
    for (const [id, index] of indexes) this.indexes.set(id, index);
  }

  hasIndex(featureId: number): boolean {
    return this.indexes.has(featureId);
  }

  /** Keys of the cells whose figures were computed since the last call and that hold no front. */
  takeFreshFrontFree(): string[] {
    return this.freshFrontFree.splice(0);
  }

  /** The indexes made by cutting since the last call, for the caller to store. */
  takeFreshIndexes(): Map<number, FeatureIndex> {
    const out = new Map(this.freshIndexes);
    this.freshIndexes.clear();
    return out;
  }

  private index(f: TerritoryFeature): FeatureIndex {
    let index = this.indexes.get(f.id);
    if (!index) {
      const c = this.feature(f);
      index = { cells: new Map([...c.cells].map(([id, p]) => [id, p.hash])), russiaHash: c.russiaHash };
      this.indexes.set(f.id, index);
      this.freshIndexes.set(f.id, index);
    }
    return index;
  }

  private pieceOf(featureId: number, cell: number): MultiPolygon | undefined {
    return this.features.get(featureId)?.cells.get(cell)?.mp ?? this.partial.get(featureId)?.get(cell);
  }

  /**
   * Cuts out of their features the pieces that these cells are made of, where not cut yet: each
   * feature once, for all the cells wanted of it.
   */
  preparePieces(entries: CellEntry[]): void {
    const wanted = new Map<number, { f: TerritoryFeature; cells: Set<number> }>();
    for (const e of entries) {
      for (const m of [...e.occupied, ...e.contested]) {
        if (this.pieceOf(m.f.id, e.id)) continue;
        let w = wanted.get(m.f.id);
        if (!w) wanted.set(m.f.id, (w = { f: m.f, cells: new Set() }));
        w.cells.add(e.id);
      }
    }
    for (const { f, cells } of wanted.values()) {
      const index = this.indexes.get(f.id)!;
      const got = this.geos.run((s) => {
        const { g, bbox } = ControlEngine.validWithBBox(s, f.polygons);
        return this.ukrainePieces(s, g, bbox, cells);
      });
      let part = this.partial.get(f.id);
      if (!part) this.partial.set(f.id, (part = new Map()));
      for (const id of cells) {
        const mp = got.get(id);
        // a stored index that the geometry no longer gives means a cut that changed without its fingerprint
        if (!mp || hashPiece(mp) !== index.cells.get(id)) throw new Error(`feature ${f.id}: its stored cell index does not match its geometry in cell ${id}`);
        part.set(id, mp);
      }
    }
  }

  /** The pieces in a cell, cut first where needed. */
  private piecesIn(e: CellEntry): { occupied: MultiPolygon[]; contested: MultiPolygon[] } {
    this.preparePieces([e]);
    return { occupied: e.occupied.map((m) => this.pieceOf(m.f.id, e.id)!), contested: e.contested.map((m) => this.pieceOf(m.f.id, e.id)!) };
  }

  /** A feature's part inside Russia (cut on first use when the feature was not cut whole). */
  private russiaPart(f: TerritoryFeature): MultiPolygon {
    const whole = this.features.get(f.id);
    if (whole) return whole.russia;
    let mp = this.russiaParts.get(f.id);
    if (!mp) {
      mp = this.geos.run((s) => {
        const { g, bbox } = ControlEngine.validWithBBox(s, f.polygons);
        return this.insideCountry(s, g, bbox, 'RUS').flatMap((p) => p.mp);
      });
      const expected = this.indexes.get(f.id)?.russiaHash;
      if (expected !== undefined && (mp.length ? hashPiece(mp) : '') !== expected) throw new Error(`feature ${f.id}: its stored cell index does not match its part in Russia`);
      this.russiaParts.set(f.id, mp);
    }
    return mp;
  }

  /** The features' parts inside Russia with their statuses: all the ground in Russia depends on. */
  private partsInRussia(feats: TerritoryFeature[]): RussiaPart[] {
    return feats.map((f) => ({ status: f.status, russia: this.russiaPart(f) }));
  }

  /**
   * Where each region is counted (the country holding most of it) and its area there. This cuts
   * every region into cells, so callers keep the result (analytics/figures.ts stores it).
   */
  placeRegions(regions: Region[]): RegionPlacement[] {
    return regions.map((r) => this.geos.run((s) => {
      const { g, bbox } = ControlEngine.validWithBBox(s, r.geom);
      const area = (country: Country): number => this.insideCountry(s, g, bbox, country).reduce((a, p) => a + areaKm2(p.mp), 0);
      const aUkr = area('UKR'), aRus = area('RUS');
      return aUkr >= aRus ? { country: 'UKR', areaKm2: aUkr, bbox: bboxOf(r.geom) } : { country: 'RUS', areaKm2: aRus, bbox: bboxOf(r.geom) };
    }));
  }

  /** The built-in set: each country is a region of its own, counted whole. */
  countryPlacements(): RegionPlacement[] {
    return [{ country: 'UKR', areaKm2: this.total.UKR }, { country: 'RUS', areaKm2: this.total.RUS }];
  }

  prepareRegionSet(name: string, regions: Region[], placements: RegionPlacement[]): PreparedRegionSet {
    const prepared = regions.map((r, i): PreparedRegion => {
      const p = placements[i]!;
      if (r.country) return { name: r.name, country: p.country, areaKm2: p.areaKm2, whole: true, polygons: undefined, bbox: this.bbox[r.country] };
      // the region's polygons are decoded only if a cell needs them (r.geom may be lazy)
      return { name: r.name, country: p.country, areaKm2: p.areaKm2, whole: false, get polygons() { return r.geom; }, bbox: p.bbox ?? bboxOf(r.geom) };
    });
    return { name, regions: prepared, cellPieces: new Map(), rusPieces: new Map() };
  }

  /** A region's valid geometry, made on first use (a new snapshot needs a few regions, not all). */
  private regionGeom(r: PreparedRegion): Geom {
    if (r.geom === undefined) {
      let g = this.geos.fromMultiPolygon(r.polygons!);
      if (!this.geos.isValid(g)) {
        const fixed = this.geos.makeValid(g);
        this.geos.destroy(g);
        g = fixed;
      }
      r.geom = g;
    }
    return r.geom;
  }

  /** Regions of a set inside Ukraine, cut to one cell (on first use). */
  private regionCell(set: PreparedRegionSet, id: number): RegionPiece[] {
    let list = set.cellPieces.get(id);
    if (list) return list;
    list = [];
    const u = this.countryCell('UKR', id);
    const b = cellBBox(id);
    if (u) {
      let cellKm2: number | undefined;
      for (let index = 0; index < set.regions.length; index++) {
        const r = set.regions[index]!;
        if (r.country !== 'UKR' || !bboxIntersects(r.bbox, b)) continue;
        if (r.whole) {
          list.push({ index, mp: u, whole: true });
          continue;
        }
        const mp = this.geos.run((s) => s.toMultiPolygon(s.intersection(s.clip(this.regionGeom(r), b.minX, b.minY, b.maxX, b.maxY), s.from(u))));
        if (!mp.length) continue;
        cellKm2 ??= areaKm2(u);
        list.push({ index, mp, whole: areaKm2(mp) >= cellKm2 * (1 - WHOLE_CELL_TOLERANCE) });
      }
    }
    set.cellPieces.set(id, list);
    return list;
  }

  /** A region in Russia, cut to one cell and to Russia's border (on first use). */
  private regionInRussia(set: PreparedRegionSet, index: number, id: number): MultiPolygon {
    const key = `${index}/${id}`;
    let mp = set.rusPieces.get(key);
    if (mp) return mp;
    const c = this.countryCell('RUS', id);
    const b = cellBBox(id);
    const r = set.regions[index]!;
    mp = c && r.whole ? c : c && bboxIntersects(r.bbox, b) ? this.geos.run((s) => s.toMultiPolygon(s.intersection(s.clip(this.regionGeom(r), b.minX, b.minY, b.maxX, b.maxY), s.from(c)))) : [];
    set.rusPieces.set(key, mp);
    return mp;
  }

  /** A snapshot's pieces, cell by cell, each cell keyed by the hashes of the pieces in it. */
  snapshotCells(features: TerritoryFeature[]): SnapshotCells {
    const byCell = new Map<number, { occupied: CellMember[]; contested: CellMember[] }>();
    const russiaFeatures: { f: TerritoryFeature; hash: string }[] = [];
    for (const f of features) {
      const index = this.index(f);
      if (index.russiaHash) russiaFeatures.push({ f, hash: index.russiaHash });
      if (f.status === 'dismissed') continue; // changes nothing inside Ukraine
      for (const [id, hash] of index.cells) {
        let e = byCell.get(id);
        if (!e) byCell.set(id, (e = { occupied: [], contested: [] }));
        e[f.status].push({ f, hash });
      }
    }
    const cells: CellEntry[] = [];
    for (const [id, e] of byCell) {
      const key = digest(`${id}|${e.occupied.map((p) => p.hash).sort().join(',')}|${e.contested.map((p) => p.hash).sort().join(',')}`);
      cells.push({ id, key, ...e });
    }
    cells.sort((a, b) => a.id - b.id);
    const russia = russiaFeatures.length
      ? { key: digest('rus|' + russiaFeatures.map(({ f, hash }) => `${f.status}:${hash}`).sort().join(',')), feats: russiaFeatures.map(({ f }) => f) }
      : undefined;
    return { cells, russia };
  }

  /**
   * Figures per region for one snapshot, using and filling `cache`. `totals`, another set's cache
   * under the same model, gives the control totals of cells already computed for that set: a cell
   * lying inside one region of this set needs nothing more (most cells lie inside one oblast).
   */
  figures(features: TerritoryFeature[], set: PreparedRegionSet, cache: CellCache, added?: Map<string, Float64Array>, totals?: CellCache): RegionFigure[] {
    const n = set.regions.length;
    const inUkr = new Float64Array(2 * n + 2); // RU, contested per region, then totals
    const inRus = new Float64Array(2 * n + 2); // UA, contested per region, then totals
    const lookup = (k: string, compute: () => Float64Array, hit: 'cellHits' | 'russiaHits', miss: 'cellMisses' | 'russiaMisses'): Float64Array => {
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
    const { cells, russia } = this.snapshotCells(features);

    // 1. Inside Ukraine, cell by cell; the pieces of the cells to compute are cut first, together.
    const known = new Map<string, Float64Array>();
    const toCompute: CellEntry[] = [];
    for (const e of cells) {
      const v = cache.get(e.key) ?? this.fromTotals(e.id, set, totals?.get(e.key));
      if (v) known.set(e.key, v);
      else toCompute.push(e);
    }
    this.preparePieces(toCompute.filter((e) => !this.recentGround.has(e.key)));
    for (const e of cells) {
      const v = lookup(e.key, () => known.get(e.key) ?? this.computeCell(e, set, totals?.get(e.key)), 'cellHits', 'cellMisses');
      for (let i = 0; i < v.length; i++) inUkr[i]! += v[i]!;
    }

    // 2. Inside Russia, whole.
    if (russia) {
      const v = lookup(russia.key, () => this.russiaFromTotals(set, totals?.get(russia.key)) ?? this.computeRussia(russia, set), 'russiaHits', 'russiaMisses');
      for (let i = 0; i < v.length; i++) inRus[i]! += v[i]!;
    }

    // 3. Assemble: the border's owner holds what no polygon takes from it.
    const rows: RegionFigure[] = set.regions.map((r, i) => {
      if (r.country === 'UKR') {
        const ru = inUkr[2 * i]!, c = inUkr[2 * i + 1]!;
        return { region: r.name, RU: ru, UA: Math.max(0, r.areaKm2 - ru - c), contested: c, areaKm2: r.areaKm2 };
      }
      const ua = inRus[2 * i]!, c = inRus[2 * i + 1]!;
      return { region: r.name, RU: Math.max(0, r.areaKm2 - ua - c), UA: ua, contested: c, areaKm2: r.areaKm2 };
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

  /** A cell's result from its control totals alone, when every region of the set in it covers it. */
  private fromTotals(id: number, set: PreparedRegionSet, totals: Float64Array | undefined): Float64Array | undefined {
    if (!totals) return undefined;
    const pieces = this.regionCell(set, id);
    if (!pieces.every((p) => p.whole)) return undefined;
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    out[2 * n] = totals[totals.length - 2]!;
    out[2 * n + 1] = totals[totals.length - 1]!;
    for (const p of pieces) {
      out[2 * p.index] = out[2 * n]!;
      out[2 * p.index + 1] = out[2 * n + 1]!;
    }
    return out;
  }

  /**
   * The ground in Russia's result from its control totals alone, when no region of the set has
   * to be cut there (a set of Ukrainian regions: the ground in Russia only counts as unassigned).
   */
  private russiaFromTotals(set: PreparedRegionSet, totals: Float64Array | undefined): Float64Array | undefined {
    if (!totals || set.regions.some((r) => r.country === 'RUS' && !r.whole)) return undefined;
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    out[2 * n] = totals[totals.length - 2]!;
    out[2 * n + 1] = totals[totals.length - 1]!;
    set.regions.forEach((r, i) => {
      if (r.country !== 'RUS') return;
      out[2 * i] = out[2 * n]!;
      out[2 * i + 1] = out[2 * n + 1]!;
    });
    return out;
  }

  /** `totals`: the cell's control totals when known (another set's result), which are then not measured again. */
  private computeCell(e: CellEntry, set: PreparedRegionSet, totals?: Float64Array): Float64Array {
    const id = e.id;
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    const ukrCell = this.countryCell('UKR', id);
    if (!ukrCell) return out;
    this.geos.run((s) => {
      const { ru, c } = this.cellGround(s, e, ukrCell);
      const ruMp = ru ? s.toMultiPolygon(ru) : [];
      const cMp = c ? s.toMultiPolygon(c) : [];
      out[2 * n] = totals ? totals[totals.length - 2]! : areaKm2(ruMp);
      out[2 * n + 1] = totals ? totals[totals.length - 1]! : areaKm2(cMp);
      if (!totals && (ruMp.length || cMp.length)) this.freshGround.push({ cell: id, key: e.key, other: ruMp, contested: cMp });
      // the first time a cell is computed, whether it can hold front at all (a cheap test on its
      // RU outline): a date's first front then computes only the cells that can
      if (!totals && !(ruMp.length && mayHaveFront(ruMp, cellBBox(id), this.outlineNearCell(id)))) this.freshFrontFree.push(e.key);
      for (const rp of this.regionCell(set, id)) {
        if (rp.whole) {
          out[2 * rp.index] = out[2 * n]!;
          out[2 * rp.index + 1] = out[2 * n + 1]!;
          continue;
        }
        const r = s.from(rp.mp);
        if (ruMp.length) out[2 * rp.index] = areaKm2(s.toMultiPolygon(s.intersection(ru!, r)));
        if (cMp.length) out[2 * rp.index + 1] = areaKm2(s.toMultiPolygon(s.intersection(c!, r)));
      }
    });
    return out;
  }

  /**
   * RU and contested ground in a cell (undefined: none), as GEOS geometries owned by the engine.
   * The last cells computed are kept, so that another region set computing the same new cell
   * (an import refreshes each set in use, one after the other), or its control geometry, does
   * not union its pieces again.
   */
  private cellGround(s: Scope, e: CellEntry, ukrCell: MultiPolygon): { ru: Geom | undefined; c: Geom | undefined } {
    let g = this.recentGround.get(e.key);
    if (!g) {
      const { occupied, contested } = this.piecesIn(e);
      const u = s.from(ukrCell);
      const c = contested.length ? s.intersection(s.unionAll(contested, { valid: true }), u) : undefined;
      let ru = occupied.length ? s.intersection(s.unionAll(occupied, { valid: true }), u) : undefined;
      if (ru && c) ru = s.difference(ru, c);
      // clones outlive the scope; the same geometry, so what is computed from it is the same
      g = { ru: ru && this.geos.clone(ru), c: c && this.geos.clone(c) };
      this.recentGround.set(e.key, g);
      if (this.recentGround.size > RECENT_GROUND_CELLS) {
        const [oldest, old] = this.recentGround.entries().next().value as [string, { ru?: Geom; c?: Geom }];
        this.recentGround.delete(oldest);
        this.geos.destroy(old.ru, old.c);
      }
    }
    return g;
  }

  /** Ground in Russia that the snapshot does not leave to Russia, slivers removed. */
  russiaGround(s: Scope, feats: RussiaPart[]): { ua: Geom; contested: Geom } {
    const of = (status: TerritoryStatus, near?: BBox): Geom | undefined => {
      const parts = feats.filter((x) => x.status === status && x.russia.length).map((x) => x.russia).filter((mp) => !near || bboxIntersects(bboxOf(mp), near));
      return parts.length ? s.unionAll(parts, { valid: true }) : undefined;
    };
    const d = of('dismissed'), c = of('contested');
    let ua = d ?? s.from([]);
    if (d && c) ua = s.difference(ua, c);
    if (d) {
      // occupied ground only matters where it overlaps UA's: the occupied polygons' slivers along
      // the whole border, unioned, had cost more than everything else in Russia
      const o = of('occupied', bboxOf(s.toMultiPolygon(d)));
      if (o) ua = s.difference(ua, o);
    }
    return { ua: removeSlivers(s, ua, SLIVER_RADIUS_KM), contested: removeSlivers(s, c ?? s.from([]), SLIVER_RADIUS_KM) };
  }

  private computeRussia(russia: RussiaEntry, set: PreparedRegionSet): Float64Array {
    const n = set.regions.length;
    const out = new Float64Array(2 * n + 2);
    const parts = this.partsInRussia(russia.feats);
    this.geos.run((s) => {
      const { ua, contested } = this.russiaGround(s, parts);
      const uaMp = s.toMultiPolygon(ua), cMp = s.toMultiPolygon(contested);
      out[2 * n] = areaKm2(uaMp);
      out[2 * n + 1] = areaKm2(cMp);
      if (!uaMp.length && !cMp.length) return;
      this.freshGround.push({ cell: RUSSIA_CELL, key: russia.key, other: uaMp, contested: cMp });
      const box = bboxOf([...uaMp, ...cMp]);
      const cells = ControlEngine.cellsCovering(box);
      set.regions.forEach((r, i) => {
        if (r.country !== 'RUS' || !bboxIntersects(box, r.bbox)) return;
        for (const id of cells) {
          const piece = this.regionInRussia(set, i, id);
          if (!piece.length) continue;
          const rg = s.from(piece);
          if (uaMp.length) out[2 * i]! += areaKm2(s.toMultiPolygon(s.intersection(ua, rg)));
          if (cMp.length) out[2 * i + 1]! += areaKm2(s.toMultiPolygon(s.intersection(contested, rg)));
        }
      });
    });
    return out;
  }

  /**
   * Control geometry of one Ukrainian cell: RU and contested ground, and the front inside the
   * cell unless `front` is false (the front costs most of the time, and `change` needs none).
   */
  cellControl(e: CellEntry, { front: withFront = true } = {}): CellControl {
    const ukrCell = this.countryCell('UKR', e.id);
    if (!ukrCell) return { ru: [], ua: [], contested: [], front: [] };
    return this.geos.run((s) => {
      const { ru, c } = this.cellGround(s, e, ukrCell);
      const ruMp = ru ? s.toMultiPolygon(ru) : [];
      // the front: RU's outline (gaps closed) where it meets UA or contested ground
      let front: Line[] = [];
      if (ruMp.length && withFront) {
        const b = cellBBox(e.id);
        const outline = this.outlineNearCell(e.id);
        if (mayHaveFront(ruMp, b, outline)) front = frontInCell(s, ruMp, b, outline);
      }
      return { ru: ruMp, ua: [], contested: c ? s.toMultiPolygon(c) : [], front };
    });
  }

  /**
   * Control geometry of the ground in Russia: UA-held and contested ground (slivers removed) and
   * the front around it unless `front` is false.
   */
  russiaControl(r: RussiaEntry, { front: withFront = true } = {}): CellControl {
    const parts = this.partsInRussia(r.feats);
    return this.geos.run((s) => {
      const { ua, contested } = this.russiaGround(s, parts);
      const uaMp = s.toMultiPolygon(ua), cMp = s.toMultiPolygon(contested);
      if (!uaMp.length && !cMp.length) return { ru: [], ua: [], contested: [], front: [] };
      if (!withFront) return { ru: [], ua: uaMp, contested: cMp, front: [] };
      const ground = s.unionAll([uaMp, cMp].filter((m) => m.length), { valid: true });
      const b = bboxOf(s.toMultiPolygon(ground));
      const m = 0.1;
      const box = { minX: b.minX - m, minY: b.minY - m, maxX: b.maxX + m, maxY: b.maxY + m };
      const front = awayFromOutline(s, s.boundary(ground), new OutlineNear(this.countryOutline('RUS', box), box));
      return { ru: [], ua: uaMp, contested: cMp, front };
    });
  }

  /** A country's outline (coasts, lakes, borders) in and just around a box, as lines. */
  private countryOutline(country: Country, b: BBox): Line[] {
    const m = OUTLINE_MARGIN_DEG;
    const around = { minX: b.minX - m, minY: b.minY - m, maxX: b.maxX + m, maxY: b.maxY + m };
    return ControlEngine.cellsCovering(around).flatMap((id) => segmentsNear(this.cellOutline(country, id), around));
  }

  /** Keys of the cells computed for figures since takeFreshFrontFree last ran that hold no front. */
  private readonly freshFrontFree: string[] = [];

  /** The ground of the cells computed for figures since takeFreshGround last ran (none: empty cells). */
  private readonly freshGround: FreshGround[] = [];

  /** The ground of every cell whose figures were computed since the last call (control/ground-store.ts stores it). */
  takeFreshGround(): FreshGround[] {
    return this.freshGround.splice(0);
  }

  /** Ukraine's land in a cell, as this engine cuts it (none: empty). */
  ukraineCell(id: number): MultiPolygon {
    return this.countryCell('UKR', id) ?? [];
  }

  /** Ukraine's outline around a cell, indexed; cached (a cell's front is computed once per key). */
  private readonly cellOutlines = new Map<number, OutlineNear>();
  private outlineNearCell(id: number): OutlineNear {
    let o = this.cellOutlines.get(id);
    if (!o) {
      const b = cellBBox(id);
      this.cellOutlines.set(id, (o = new OutlineNear(this.countryOutline('UKR', b), b)));
    }
    return o;
  }

  /** A country's outline inside one cell, from the cell's polygon; cached. */
  private readonly outlines: Record<Country, Map<number, Line[]>> = { UKR: new Map(), RUS: new Map() };
  private cellOutline(country: Country, id: number): Line[] {
    let lines = this.outlines[country].get(id);
    if (!lines) {
      const cell = this.countryCell(country, id);
      lines = cell ? outlineInCell(cell, cellBBox(id)) : [];
      this.outlines[country].set(id, lines);
    }
    return lines;
  }

  /** The parts of a set's regions inside one Ukrainian cell (index into set.regions). */
  regionPiecesInCell(set: PreparedRegionSet, id: number): RegionPiece[] {
    return this.regionCell(set, id);
  }

  /** The part of a region (counted in Russia) inside one cell. */
  regionPieceInRussia(set: PreparedRegionSet, index: number, id: number): MultiPolygon {
    return this.regionInRussia(set, index, id);
  }

  /** Cell ids covering a bounding box. */
  static cellsCovering(box: BBox): number[] {
    const out: number[] = [];
    for (let ix = Math.floor((box.minX - ORIGIN_X) / CELL); ix <= Math.floor((box.maxX - ORIGIN_X) / CELL); ix++) {
      for (let iy = Math.floor((box.minY - ORIGIN_Y) / CELL); iy <= Math.floor((box.maxY - ORIGIN_Y) / CELL); iy++) out.push(cellId(ix, iy));
    }
    return out;
  }

}
