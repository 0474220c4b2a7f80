/**
 * Figures per snapshot and region set: computed by the control engine once, stored in the
 * database with the fingerprint of everything they depend on, and read back afterwards.
 */
import { decodeGeometry } from '../geometry/codec.js';
import { polygonsOf } from '../geometry/geojson.js';
import { getGeos } from '../geometry/geos.js';
import { loadBorders, loadCountryCells } from '../control/borders.js';
import { CONTROL_METHOD_VERSION, ControlEngine, RUSSIA_CELL, type SnapshotCells, type CellCache, type PreparedRegionSet, type Region, type RegionFigure, type RegionPlacement, type TerritoryFeature, type TerritoryStatus } from '../control/engine.js';
import { UserError } from '../model/errors.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { Classifier } from '../rules/classifier.js';
import { classifierFor } from './sources.js';
import { ControlGeometry } from '../control/geometry.js';

export const COUNTRIES = 'countries';
const TERRITORY = new Set(['occupied', 'dismissed', 'contested']);

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
  private geometry?: ControlGeometry;

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

  regionSetId(name: string): string {
    if (name === COUNTRIES) return `${COUNTRIES} (${loadBorders().id})`;
    const set = this.store.regionSet(name);
    if (!set) throw new UserError(`unknown region set "${name}"; known: ${[COUNTRIES, ...this.store.regionSetNames()].join(', ')}`);
    return `${name} (${set.origin}, sha1 ${set.sha1.slice(0, 12)})`;
  }

  private regions(name: string): Region[] {
    if (name === COUNTRIES) {
      const b = loadBorders();
      return [{ name: 'Ukraine', geom: b.ukraine, country: 'UKR' }, { name: 'Russia', geom: b.russia, country: 'RUS' }];
    }
    const set = this.store.regionSet(name);
    if (!set) throw new UserError(`unknown region set "${name}"; known: ${[COUNTRIES, ...this.store.regionSetNames()].join(', ')}`);
    return set.regions.map((r) => ({ name: r.name, geom: polygonsOf(decodeGeometry(r.geom)) }));
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
        this.featureCache.set(row.id, TERRITORY.has(c.status) ? { id: row.id, status: c.status as TerritoryStatus, polygons: polygonsOf(decodeGeometry(row.geom)) } : null);
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

  /** Those of the snapshots whose figures for the set are stored under the current model (one query per source). */
  storedAmong(snapshots: SnapshotRow[], regionSet: string): Set<number> {
    const bySource = new Map<string, Set<number>>();
    const out = new Set<number>();
    for (const s of snapshots) {
      let ids = bySource.get(s.source);
      if (!ids) bySource.set(s.source, (ids = this.store.figureSnapshotIds(regionSet, this.model(s.source))));
      if (ids.has(s.id)) out.add(s.id);
    }
    return out;
  }

  /** Stored figures of a snapshot, if any were made under the current model. */
  stored(snapshot: SnapshotRow, regionSet: string): RegionFigure[] | undefined {
    const data = this.store.getFigures(snapshot.id, regionSet, this.model(snapshot.source));
    return data ? parseFigures(data) : undefined;
  }

  /** Every stored figure of a source for a set under the current model, by snapshot id, in one query. */
  storedOfSource(source: string, regionSet: string): Map<number, RegionFigure[]> {
    return new Map([...this.store.figuresOfSet(regionSet, this.model(source))].map(([id, data]) => [id, parseFigures(data)]));
  }

  /** Computes a snapshot's figures without writing anything; `added` receives new cell results. */
  async compute(snapshot: SnapshotRow, regionSet: string, added: Map<string, Float64Array>): Promise<RegionFigure[]> {
    const engine = await this.getEngine();
    const set = await this.prepare(regionSet);
    const model = this.model(snapshot.source);
    // the built-in set's cells give the control totals of every cell computed at import
    const totals = regionSet === COUNTRIES ? undefined : this.cellCache(COUNTRIES, model);
    return engine.figures(this.territoryOf(snapshot), set, this.cellCache(regionSet, model), added, totals).map(roundRow);
  }

  /** Stored cell results of a set under a model, read once per process. */
  private cellCache(regionSet: string, model: string): CellCache {
    const cacheKey = `${regionSet}|${model}`;
    let cache = this.caches.get(cacheKey);
    if (!cache) {
      cache = new Map();
      for (const [k, v] of this.store.getCells(regionSet, model)) cache.set(k, new Float64Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength)));
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
    });
    const cache = this.caches.get(`${regionSet}|${model}`);
    if (cache) for (const [k, v] of added) cache.set(k, v);
  }

  /**
   * Stores a snapshot's cell keys (control/geometry.ts does, once it has its cells' geometry), so
   * that its control geometry is read back later without cutting its polygons into cells again.
   */
  saveCellKeys(snapshot: SnapshotRow, cells: SnapshotCells): void {
    this.store.db.prepare('INSERT OR REPLACE INTO snapshot_cells (snapshot_id, model, cells) VALUES (?, ?, ?)').run(snapshot.id, this.model(snapshot.source), encodeCellKeys(cells));
  }

  /** The snapshot's stored cell keys (cell id and base64 key), if its figures were computed under the current model. */
  storedCellKeys(snapshot: SnapshotRow): { id: number; key: string }[] | undefined {
    const row = this.store.db.prepare('SELECT cells FROM snapshot_cells WHERE snapshot_id = ? AND model = ?').get(snapshot.id, this.model(snapshot.source)) as { cells: Buffer } | undefined;
    return row ? decodeCellKeys(row.cells) : undefined;
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
