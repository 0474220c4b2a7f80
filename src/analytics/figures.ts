/**
 * Figures per snapshot and region set: computed by the control engine once, stored in the
 * database with the fingerprint of everything they depend on, and read back afterwards.
 */
import { decodeGeometry } from '../geometry/codec.js';
import { polygonsOf } from '../geometry/geojson.js';
import { getGeos } from '../geometry/geos.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { loadBorders, loadCountryCells } from '../control/borders.js';
import { CONTROL_METHOD_VERSION, ControlEngine, RUSSIA_CELL, type SnapshotCells, type CellCache, type PreparedRegionSet, type Region, type RegionFigure, type RegionPlacement, type TerritoryFeature, type TerritoryStatus } from '../control/engine.js';
import { UserError } from '../model/errors.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { Classifier } from '../rules/classifier.js';
import { classifierFor } from './sources.js';
import { cellGeometryModel, ControlGeometry } from '../control/geometry.js';
import type { CellControl } from '../control/engine.js';
import { decodeFeatureIndex, encodeFeatureIndex } from '../control/feature-index.js';
import { GroundStore } from '../control/ground-store.js';

export const COUNTRIES = 'countries';
/** Meta key of the cut (ControlEngine.cutFingerprint) that the stored feature indexes were made with. */
const INDEX_META = 'feature-index';
const TERRITORY = new Set(['occupied', 'dismissed', 'contested']);
/** Length of a cell key (a SHA-1). */
const KEY_BYTES = 20;
/** Up to this many snapshots, point lookups beat one query over the source's figures (an import's new ones). */
const POINT_LOOKUPS_UP_TO = 64;

export interface Provenance {
  source: string;
  snapshot: string;
  time: string;
  ruleset: string;
  borders: string;
  regions: string;
  method: string;
}

export interface SnapshotFigures {
  snapshot: SnapshotRow;
  rows: RegionFigure[];
  provenance: Provenance;
}

/** Lazily built engine and per-set state, shared by every query in one process. */
export class FigureService {
  private engine?: ControlEngine;
  private readonly prepared = new Map<string, PreparedRegionSet>();
  private readonly caches = new Map<string, CellCache>();
  private readonly featureCache = new Map<number, TerritoryFeature | null>();
  private readonly classifiers = new Map<string, Classifier>();
  private readonly setIds = new Map<string, string>();
  private geometry?: ControlGeometry;
  /** Whether the stored feature indexes were made with this engine's cut. */
  private indexesValid?: boolean;
  /** Cells recorded as holding no front, per source (read once). */
  private readonly frontFreeKeys = new Map<string, Set<string>>();
  /** Features whose stored index was looked for (found or not). */
  private readonly indexLookedUp = new Set<number>();

  constructor(private readonly store: Store) {}

  /** The process's control engine (built on first use: loads the borders and GEOS). */
  async getEngine(): Promise<ControlEngine> {
    this.engine ??= new ControlEngine(await getGeos(), loadBorders(), loadCountryCells());
    return this.engine;
  }

  /**
   * The control geometry of this service's snapshots, one per service, so that change, front,
   * ledger and the map share the cells they decode or compute.
   */
  controlGeometry(): ControlGeometry {
    this.geometry ??= new ControlGeometry(this.store, this);
    return this.geometry;
  }

  classifier(source: string): Classifier {
    let c = this.classifiers.get(source);
    if (!c) {
      c = classifierFor(source, this.store.meta(`ruleset:${source}`));
      this.classifiers.set(source, c);
    }
    return c;
  }

  model(source: string): string {
    return `${this.classifier(source).id}|${loadBorders().id}|${CONTROL_METHOD_VERSION}`;
  }

  /** The region set's name, origin and content hash (read once per service: every figure's provenance names it). */
  regionSetId(name: string): string {
    let id = this.setIds.get(name);
    if (id === undefined) {
      if (name === COUNTRIES) id = `${COUNTRIES} (${loadBorders().id})`;
      else {
        const set = this.store.regionSetInfo(name);
        if (!set) throw new UserError(`unknown region set "${name}"; known: ${[COUNTRIES, ...this.store.regionSetNames()].join(', ')}`);
        id = `${name} (${set.origin}, sha1 ${set.sha1.slice(0, 12)})`;
      }
      this.setIds.set(name, id);
    }
    return id;
  }

  private regions(name: string): Region[] {
    if (name === COUNTRIES) {
      const b = loadBorders();
      // read only if asked for: a whole country's cells are the country's own, so its outline is rarely needed
      return [{ name: 'Ukraine', get geom() { return b.ukraine; }, country: 'UKR' }, { name: 'Russia', get geom() { return b.russia; }, country: 'RUS' }];
    }
    const set = this.store.regionSet(name);
    if (!set) throw new UserError(`unknown region set "${name}"; known: ${[COUNTRIES, ...this.store.regionSetNames()].join(', ')}`);
    return set.regions.map((r) => {
      let geom: MultiPolygon | undefined;
      // decoded when first needed: with stored placements a new snapshot needs only a few regions
      return { name: r.name, get geom(): MultiPolygon { return (geom ??= polygonsOf(decodeGeometry(r.geom))); } };
    });
  }

  /**
   * Where each region of a set is counted and its area there. Cutting every region into cells
   * takes seconds, so the result is stored (keyed by the set's content, borders and method).
   */
  async placements(name: string): Promise<RegionPlacement[]> {
    const engine = await this.getEngine();
    if (name === COUNTRIES) return engine.countryPlacements();
    const key = `placements:${this.regionSetId(name)}|${loadBorders().id}|${CONTROL_METHOD_VERSION}`;
    const known = this.store.meta(key);
    if (known) return JSON.parse(known) as RegionPlacement[];
    const placed = engine.placeRegions(this.regions(name));
    if (!this.store.db.readonly) this.store.setMeta(key, JSON.stringify(placed));
    return placed;
  }

  /** A region set cut and placed for the engine, kept for the service's lifetime. */
  async prepare(name: string): Promise<PreparedRegionSet> {
    let p = this.prepared.get(name);
    if (p) return p;
    const engine = await this.getEngine();
    p = engine.prepareRegionSet(name, this.regions(name), await this.placements(name));
    this.prepared.set(name, p);
    return p;
  }

  /** The territorial features of a snapshot with their statuses under the source's rule set. */
  territoryOf(snapshot: SnapshotRow): TerritoryFeature[] {
    const classifier = this.classifier(snapshot.source);
    const ids = this.store.snapshotFeatureIds(snapshot.id);
    const missing = ids.filter((id) => !this.featureCache.has(id));
    if (missing.length) {
      const classes = this.store.classifications(classifier.id, missing);
      for (const row of this.store.features(missing)) {
        let c = classes.get(row.id);
        if (!c) {
          // imported under another rule-set version: classify now and remember
          const r = classifier.classify({ geometryType: row.geom_type, properties: JSON.parse(row.properties) as Record<string, unknown> });
          if (!this.store.db.readonly) this.store.putClassification(row.id, classifier.id, r.status, r.rule);
          c = r;
        }
        this.featureCache.set(row.id, TERRITORY.has(c.status) ? territoryFeature(row.id, c.status as TerritoryStatus, row.geom) : null);
      }
    }
    return ids.map((id) => this.featureCache.get(id)).filter((f): f is TerritoryFeature => !!f);
  }

  provenance(snapshot: SnapshotRow, regionSet: string): Provenance {
    return {
      source: snapshot.source,
      snapshot: snapshot.ext_id,
      time: snapshot.time,
      ruleset: this.classifier(snapshot.source).id,
      borders: `${loadBorders().id}: ${loadBorders().source}`,
      regions: this.regionSetId(regionSet),
      method: CONTROL_METHOD_VERSION,
    };
  }

  /**
   * Those of the snapshots whose figures for the set are stored under the current model: a point
   * lookup each for a few snapshots, else one query per source.
   */
  storedAmong(snapshots: SnapshotRow[], regionSet: string): Set<number> {
    if (snapshots.length <= POINT_LOOKUPS_UP_TO) return new Set(snapshots.filter((s) => this.store.hasFigures(s.id, regionSet, this.model(s.source))).map((s) => s.id));
    const bySource = new Map<string, Set<number>>();
    const out = new Set<number>();
    for (const s of snapshots) {
      let ids = bySource.get(s.source);
      if (!ids) bySource.set(s.source, (ids = this.store.snapshotsWithFigures(s.source, regionSet, this.model(s.source))));
      if (ids.has(s.id)) out.add(s.id);
    }
    return out;
  }

  /** Whether figures for the set are stored for any of the source's snapshots (a set in use). */
  inUse(source: string, regionSet: string): boolean {
    return this.store.figuresInUse(source, regionSet, this.model(source));
  }

  /** Stored figures of a snapshot, if any were made under the current model. */
  stored(snapshot: SnapshotRow, regionSet: string): RegionFigure[] | undefined {
    const data = this.store.getFigures(snapshot.id, regionSet, this.model(snapshot.source));
    return data ? parseFigures(data) : undefined;
  }

  /** Computes a snapshot's figures without writing anything; `added` receives new cell results. */
  async compute(snapshot: SnapshotRow, regionSet: string, added: Map<string, Float64Array>): Promise<RegionFigure[]> {
    const engine = await this.getEngine();
    const set = await this.prepare(regionSet);
    const model = this.model(snapshot.source);
    // the built-in set's cells give the control totals of every cell computed at import
    const totals = regionSet === COUNTRIES ? undefined : this.cellCache(COUNTRIES, model);
    return engine.figures(this.indexedTerritoryOf(snapshot, engine), set, this.cellCache(regionSet, model), added, totals).map(roundRow);
  }

  /** The snapshot's cells and their keys; only features without a stored index are cut. */
  async snapshotCells(snapshot: SnapshotRow): Promise<SnapshotCells> {
    const engine = await this.getEngine();
    return engine.snapshotCells(this.indexedTerritoryOf(snapshot, engine));
  }

  /** The snapshot's territory, with the stored indexes of its features given to the engine. */
  private indexedTerritoryOf(snapshot: SnapshotRow, engine: ControlEngine): TerritoryFeature[] {
    const features = this.territoryOf(snapshot);
    this.indexesValid ??= this.store.meta(INDEX_META) === engine.cutFingerprint;
    if (!this.indexesValid) return features;
    const ids = features.filter((f) => !engine.hasIndex(f.id) && !this.indexLookedUp.has(f.id)).map((f) => f.id);
    if (ids.length) {
      for (const id of ids) this.indexLookedUp.add(id);
      engine.knowIndexes([...this.store.featureIndexes(ids)].map(([id, blob]) => [id, decodeFeatureIndex(blob)]));
    }
    return features;
  }

  /** Indexes of the features this process cut since the last call, encoded (workers send them to be stored). */
  takeFreshIndexes(): [number, Buffer][] {
    if (!this.engine) return [];
    return [...this.engine.takeFreshIndexes()].map(([id, index]) => [id, encodeFeatureIndex(index)]);
  }

  saveFreshIndexes(): void {
    this.saveIndexes(this.takeFreshIndexes());
  }

  private readonly grounds = new Map<string, GroundStore>();
  /** The stored ground of a source's cells (control/ground-store.ts); needs the engine built. */
  private groundStore(source: string): GroundStore {
    const model = this.model(source);
    let g = this.grounds.get(model);
    if (!g) {
      const engine = this.engine;
      if (!engine) throw new Error('cell ground read before the control engine was built');
      this.grounds.set(model, (g = new GroundStore(this.store, model, (cell) => engine.ukraineCell(cell))));
    }
    return g;
  }

  /**
   * The ground of the cells computed since the last call, coded for storing (workers send it to
   * be stored): cell id, 20-byte key, data.
   */
  takeFreshGround(source: string): [number, Buffer, Buffer][] {
    if (!this.engine) return [];
    const fresh = this.engine.takeFreshGround();
    if (!fresh.length) return [];
    const grounds = this.groundStore(source);
    return fresh.map((g) => grounds.encode(g)).filter((r) => r !== undefined).map((r) => [r.cell, r.key, r.data]);
  }

  /** Stores coded ground (inside the caller's transaction). */
  saveGround(source: string, rows: [number, Buffer, Buffer][]): void {
    if (!rows.length || this.store.db.readonly) return;
    this.groundStore(source).save(rows.map(([cell, key, data]) => ({ cell, key, data })));
  }

  /** Cells' ground as their figures computed it, where stored (keys: the 20 bytes), by key (hex). */
  async storedGround(source: string, cells: { cell: number; key: Buffer }[]): Promise<Map<string, CellControl>> {
    await this.getEngine();
    return this.groundStore(source).grounds(cells);
  }

  /** Keys of the cells computed since the last call that hold no front (workers send them to be stored). */
  takeFreshFrontFree(): string[] {
    return this.engine ? this.engine.takeFreshFrontFree() : [];
  }

  /** Records cells (base64 keys) as holding no front (inside the caller's transaction). */
  saveFrontFree(source: string, keys: string[]): void {
    if (!keys.length || this.store.db.readonly) return;
    this.store.addFrontFreeKeys(this.frontModel(source), Buffer.concat(keys.map((k) => Buffer.from(k, 'base64'))));
    const known = this.frontFreeKeys.get(source);
    if (known) for (const k of keys) known.add(k);
  }

  /** The cells (base64 keys) recorded as holding no front when their figures were computed. */
  frontFree(source: string): Set<string> {
    let keys = this.frontFreeKeys.get(source);
    if (!keys) {
      keys = new Set();
      for (const blob of this.store.frontFreeKeys(this.frontModel(source))) {
        for (let i = 0; i + KEY_BYTES <= blob.length; i += KEY_BYTES) keys.add(blob.toString('base64', i, i + KEY_BYTES));
      }
      this.frontFreeKeys.set(source, keys);
    }
    return keys;
  }

  /**
   * A cell's control totals as its figures measured them (km² of the other side's ground and of
   * contested ground; base64 key), when stored: a cell measured empty needs no geometry.
   */
  controlTotals(source: string, key: string): { other: number; contested: number } | undefined {
    const v = this.cellCache(COUNTRIES, this.model(source)).get(key);
    return v && v.length >= 2 ? { other: v[v.length - 2]!, contested: v[v.length - 1]! } : undefined;
  }

  /** What a cell's front depends on: the control model and the front's rule. */
  private frontModel(source: string): string {
    return cellGeometryModel(this.model(source));
  }

  /**
   * Stores feature indexes (inside the caller's transaction). Indexes made with another cut are
   * dropped first: they would no longer match what cutting gives.
   */
  saveIndexes(indexes: [number, Buffer][]): void {
    if (!indexes.length || this.store.db.readonly) return;
    if (!this.engine) throw new Error('feature indexes saved before the control engine was built');
    const fingerprint = this.engine.cutFingerprint;
    if (this.store.meta(INDEX_META) !== fingerprint) {
      this.store.clearFeatureIndexes();
      this.store.setMeta(INDEX_META, fingerprint);
      this.indexesValid = true;
    }
    for (const [id, blob] of indexes) this.store.putFeatureIndex(id, blob);
  }

  /**
   * Stored cell results of a set under a model, read as they are asked for and kept for the
   * process: a new snapshot needs a few hundred of the thousands stored.
   */
  private cellCache(regionSet: string, model: string): CellCache {
    const cacheKey = `${regionSet}|${model}`;
    let cache = this.caches.get(cacheKey);
    if (!cache) {
      const memory = new Map<string, Float64Array>();
      const store = this.store;
      cache = {
        get(key: string): Float64Array | undefined {
          let v = memory.get(key);
          if (!v) {
            const blob = store.getCell(regionSet, model, key);
            if (blob) memory.set(key, (v = new Float64Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength))));
          }
          return v;
        },
        set: (key: string, value: Float64Array) => memory.set(key, value),
      };
      this.caches.set(cacheKey, cache);
    }
    return cache;
  }

  /** Stores computed figures and the cell results they added. */
  save(snapshot: SnapshotRow, regionSet: string, rows: RegionFigure[], added: Map<string, Float64Array>): void {
    const model = this.model(snapshot.source);
    this.store.transaction(() => {
      for (const [k, v] of added) this.store.putCell(regionSet, model, k, Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      this.store.putFigures(snapshot.id, regionSet, model, Buffer.from(JSON.stringify(rows)));
      this.saveFreshIndexes();
      this.saveFrontFree(snapshot.source, this.takeFreshFrontFree());
      this.saveGround(snapshot.source, this.takeFreshGround(snapshot.source));
    });
    const cache = this.caches.get(`${regionSet}|${model}`);
    if (cache) for (const [k, v] of added) cache.set(k, v);
  }

  /**
   * Stores a snapshot's cell keys (control/geometry.ts does, once it has its cells' geometry), so
   * that its control geometry is read back later without cutting its polygons into cells again.
   */
  saveCellKeys(snapshot: SnapshotRow, cells: SnapshotCells): void {
    this.store.putSnapshotCellKeys(snapshot.id, this.model(snapshot.source), encodeCellKeys(cells));
  }

  /** The snapshot's stored cell keys (cell id and base64 key), if its figures were computed under the current model. */
  storedCellKeys(snapshot: SnapshotRow): { id: number; key: string }[] | undefined {
    const cells = this.store.snapshotCellKeys(snapshot.id, this.model(snapshot.source));
    return cells ? decodeCellKeys(cells) : undefined;
  }

  /** Figures of one snapshot for a region set; computed and stored on first use. */
  async figures(snapshot: SnapshotRow, regionSet: string): Promise<SnapshotFigures> {
    const provenance = this.provenance(snapshot, regionSet);
    let rows = this.stored(snapshot, regionSet);
    if (!rows) {
      const added = new Map<string, Float64Array>();
      rows = await this.compute(snapshot, regionSet, added);
      this.save(snapshot, regionSet, rows, added);
    }
    return { snapshot, rows, provenance };
  }
}

/**
 * A territorial feature whose polygons are decoded when first asked for: with stored feature
 * indexes most features of a snapshot are keyed without their geometry.
 */
function territoryFeature(id: number, status: TerritoryStatus, geom: Buffer): TerritoryFeature {
  let polygons: MultiPolygon | undefined;
  return {
    id,
    status,
    get polygons(): MultiPolygon {
      return (polygons ??= polygonsOf(decodeGeometry(geom)));
    },
  };
}

function roundRow(r: RegionFigure): RegionFigure {
  const q = (x: number): number => Math.round(x * 1e6) / 1e6;
  return { region: r.region, RU: q(r.RU), UA: q(r.UA), contested: q(r.contested), areaKm2: q(r.areaKm2) };
}

/** A snapshot's cell keys as stored: per cell an int32 LE cell id and the key's 20 bytes. */
export function encodeCellKeys(sc: SnapshotCells): Buffer {
  const list = [...sc.cells.map((c) => ({ id: c.id, key: c.key })), ...(sc.russia ? [{ id: RUSSIA_CELL, key: sc.russia.key }] : [])];
  const out = Buffer.alloc(list.length * 24);
  list.forEach((c, i) => {
    out.writeInt32LE(c.id, i * 24);
    Buffer.from(c.key, 'base64').copy(out, i * 24 + 4);
  });
  return out;
}

export function decodeCellKeys(b: Buffer): { id: number; key: string }[] {
  const out: { id: number; key: string }[] = [];
  for (let i = 0; i + 24 <= b.length; i += 24) out.push({ id: b.readInt32LE(i), key: b.subarray(i + 4, i + 24).toString('base64') });
  return out;
}

const parseFigures = (data: Buffer): RegionFigure[] => JSON.parse(data.toString('utf8')) as RegionFigure[];
