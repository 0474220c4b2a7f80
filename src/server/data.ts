/**
 * The server's view of the database: opened read-only, so that serving can never change what
 * the CLI imported and computed, and refreshed when another process (an import, `frontline
 * sync`) commits.
 *
 * Figures missing from the database (a region set added without running `series`, a model
 * newer than the stored figures) are computed in memory on first use and kept for the process's
 * lifetime, never stored: the numbers are the same the CLI would store, and running
 * `frontline series --regions SET` once stores them for every later start.
 */
import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import { COUNTRIES, FigureService, type SnapshotFigures } from '../analytics/figures.js';
import type { CellControl, RegionFigure } from '../control/engine.js';
import { cellGeometryModel, ControlGeometry, decodeCell, toUrl, type SnapshotControl } from '../control/geometry.js';
import { UserError } from '../model/errors.js';
import { Store, type SnapshotRow } from '../store/sqlite.js';
import { MIGRATIONS } from '../store/migrations.js';

/** Bumped when a response's shape changes, so that clients' cached copies are not reused. */
export const API_REVISION = 'v1.1';

/**
 * How often, at most, the server asks SQLite whether another process has committed. Asking
 * takes a read transaction (file locks and a header read: tens of microseconds), which under
 * load cost more than answering a cached request; a commit shows within this many milliseconds.
 */
export const REFRESH_INTERVAL_MS = 100;

class ReadOnlyFigures extends FigureService {
  private readonly computed = new Map<string, RegionFigure[]>();
  private serverGeometry: ServerGeometry | undefined;

  constructor(private readonly reader: Store) {
    super(reader);
  }

  /** One control geometry for the map and the analyses (change, front), reading stored cells as the server does. */
  override controlGeometry(): ServerGeometry {
    this.serverGeometry ??= new ServerGeometry(this.reader, this);
    return this.serverGeometry;
  }

  override async figures(snapshot: SnapshotRow, regionSet: string): Promise<SnapshotFigures> {
    const provenance = this.provenance(snapshot, regionSet);
    const key = `${snapshot.id}|${regionSet}`;
    let rows = this.stored(snapshot, regionSet) ?? this.computed.get(key);
    if (!rows) {
      // the engine keeps the new cell results in its own cache, so neighbours reuse them
      rows = await this.compute(snapshot, regionSet, new Map());
      this.computed.set(key, rows);
    }
    return { snapshot, rows, provenance };
  }
}

export interface DataTokens {
  /** Changes whenever the answer to a date-addressed question may change: new snapshots, flags, region sets. */
  latest: string;
  /** Changes only when the model behind snapshot-addressed answers changes (rule sets, borders, method). */
  model: string;
  /** Changes when a region set is added or replaced. */
  regions: string;
}

/**
 * The store as the server reads it: the lists of sources and snapshots, which every request
 * scans, are read once per database change instead of once per request.
 */
class ServerStore extends Store {
  private readonly lists = new Map<string, SnapshotRow[]>();
  private readonly indexes = new Map<string, SnapshotIndex>();

  override snapshots(source?: string): SnapshotRow[] {
    return this.list(source ?? '').slice(); // callers may sort or splice their copy
  }

  /** The snapshots of a source (oldest first), with their times and ids for lookups. */
  index(source: string): SnapshotIndex {
    let index = this.indexes.get(source);
    if (!index) {
      const list = this.list(source);
      const times = list.map((s) => Date.parse(s.time));
      const byExtId = new Map<string, SnapshotRow>();
      for (const s of list) if (!byExtId.has(s.ext_id)) byExtId.set(s.ext_id, s);
      index = { list, times, sorted: times.every((t, i) => i === 0 || t >= times[i - 1]!), byExtId };
      this.indexes.set(source, index);
    }
    return index;
  }

  private list(key: string): SnapshotRow[] {
    let list = this.lists.get(key);
    if (!list) {
      list = super.snapshots(key || undefined);
      this.lists.set(key, list);
    }
    return list;
  }

  private sourceList: string[] | undefined;

  override sources(): string[] {
    this.sourceList ??= super.sources();
    return this.sourceList.slice();
  }

  forget(): void {
    this.lists.clear();
    this.indexes.clear();
    this.sourceList = undefined;
  }
}

interface SnapshotIndex {
  /** Oldest first, as Store.snapshots lists them (by time, then id). */
  list: SnapshotRow[];
  /** Date.parse of each snapshot's time. */
  times: number[];
  /** Whether `times` never decreases (the stored times are uniform ISO strings), for binary search. */
  sorted: boolean;
  /** By the source's own id (the first in the list, should ids repeat). */
  byExtId: Map<string, SnapshotRow>;
}

/**
 * Control geometry as the server reads it. The stored cells of the current model are read into
 * memory, still encoded, in one pass at start-up (a fraction of a second and about 10 MB for the
 * 2022–2025 history; a lookup by key costs a B-tree search over rows that hold the geometry
 * itself). A snapshot's key list then comes from its stored keys without decoding any cell, and a
 * cell is decoded when /control-cells first asks for it. Cells stored after start-up, and
 * snapshots whose cells are not all stored, go the way ControlGeometry goes.
 */
class ServerGeometry extends ControlGeometry {
  /** Stored encoded cells by model|key (base64url): a stored cell never changes. */
  private readonly encoded = new Map<string, Buffer>();
  private readonly decoded = new Map<string, CellControl>();
  private readonly primed = new Set<string>();

  constructor(private readonly reader: Store, private readonly figureService: FigureService) {
    super(reader, figureService);
  }

  private modelOf(source: string): string {
    return cellGeometryModel(this.figureService.model(source));
  }

  /** Reads the source's stored cells (once per model: a new model gets a new ServerGeometry). */
  prime(source: string): void {
    const model = this.modelOf(source);
    if (this.primed.has(model)) return;
    this.primed.add(model);
    const rows = this.reader.db.prepare('SELECT key, data FROM control_cells WHERE model = ?').raw().iterate(model) as Iterable<[Buffer, Buffer]>;
    for (const [key, data] of rows) this.encoded.set(`${model}|${key.toString('base64url')}`, data);
  }

  private isStored(model: string, key: string): boolean {
    if (this.encoded.has(`${model}|${key}`)) return true;
    const row = this.reader.controlCell(model, Buffer.from(key, 'base64url'));
    if (row) this.encoded.set(`${model}|${key}`, row);
    return row !== undefined;
  }

  override async snapshotControl(snapshot: SnapshotRow): Promise<SnapshotControl> {
    this.prime(snapshot.source);
    const keys = this.figureService.storedCellKeys(snapshot);
    if (keys) {
      const model = this.modelOf(snapshot.source);
      const cells = keys.map((c) => ({ cell: c.id, key: toUrl(c.key) }));
      if (cells.every((c) => this.isStored(model, c.key))) return { cells };
    }
    return super.snapshotControl(snapshot);
  }

  override cells(source: string, keys: string[]): Map<string, CellControl> {
    this.prime(source);
    const model = this.modelOf(source);
    const out = new Map<string, CellControl>();
    const rest: string[] = [];
    for (const k of keys) {
      const m = `${model}|${k}`;
      let c = this.decoded.get(m);
      if (!c) {
        const blob = this.encoded.get(m);
        if (blob) {
          c = decodeCell(blob);
          this.decoded.set(m, c);
        }
      }
      if (c) out.set(k, c);
      else rest.push(k);
    }
    if (rest.length) for (const [k, c] of super.cells(source, rest)) out.set(k, c);
    return out;
  }
}

const hash = (s: string): string => createHash('sha1').update(s).digest('base64url').slice(0, 20);

export class ApiData {
  readonly store: ServerStore;
  private figureService!: ReadOnlyFigures;
  private version: number | undefined;
  private dataVersion: Statement | undefined;
  private current!: DataTokens;
  private checkedAt = -Infinity;

  constructor(path: string, private readonly refreshIntervalMs = REFRESH_INTERVAL_MS) {
    const probe = new Store(path, { readonly: true });
    const schema = probe.db.pragma('user_version', { simple: true }) as number;
    probe.close();
    // an older database is upgraded once, as every frontline command does; after that, read-only
    if (schema < MIGRATIONS.length) new Store(path, { mustExist: true }).close();
    this.store = new ServerStore(path, { readonly: true });
    this.refresh();
  }

  /**
   * Notices commits by other processes (SQLite's data_version) and drops what they made stale.
   * New snapshots need nothing more; a new rule set or a replaced region set needs a fresh
   * figure service (its prepared regions and classifiers would be out of date). Asks SQLite at
   * most once per refresh interval.
   */
  refresh(): void {
    const now = performance.now();
    if (now - this.checkedAt < this.refreshIntervalMs) return;
    this.checkedAt = now;
    this.dataVersion ??= this.store.db.prepare('PRAGMA data_version').pluck();
    const v = this.dataVersion.get() as number;
    if (v === this.version) return;
    this.version = v;
    this.store.forget();
    const before = this.current;
    this.figureService ??= new ReadOnlyFigures(this.store);
    this.current = this.computeTokens();
    if (before && (before.model !== this.current.model || before.regions !== this.current.regions)) {
      this.figureService = new ReadOnlyFigures(this.store);
      this.current = this.computeTokens();
    }
  }

  /**
   * Reads now what the first requests would otherwise read one by one while clients wait: each
   * source's snapshot index and rule set, each region set's description.
   */
  prime(): void {
    // whatever fails here fails again in the request that needs it, which reports it
    const attempt = (f: () => unknown): void => {
      try {
        f();
      } catch {
        // see above
      }
    };
    for (const source of this.store.sources()) {
      attempt(() => this.store.index(source));
      attempt(() => this.figureService.model(source));
      attempt(() => this.geometry.prime(source));
    }
    for (const set of [COUNTRIES, ...this.store.regionSetNames()]) attempt(() => this.figureService.regionSetId(set));
  }

  get figures(): FigureService {
    return this.figureService;
  }

  /** Control geometry per cell; cells it computes are kept in memory (the database is read-only). */
  get geometry(): ServerGeometry {
    return this.figureService.controlGeometry();
  }

  get tokens(): DataTokens {
    return this.current;
  }

  /** The stored snapshots of a source, oldest first (cached until the database changes). */
  snapshots(source: string): SnapshotRow[] {
    return this.store.snapshots(source);
  }

  /** The latest snapshot at or before `at` (analytics/area.ts snapshotAt, by binary search). */
  snapshotAt(source: string, at: Date): SnapshotRow {
    const { list, times, sorted } = this.store.index(source);
    const t = at.getTime();
    let lo = 0, hi = times.length; // the first snapshot after `at` is at `lo`
    if (sorted) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (times[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
    } else {
      for (let i = 0; i < times.length; i++) if (times[i]! <= t) lo = i + 1;
    }
    if (lo === 0) {
      throw new UserError(`no ${source} snapshot at or before ${at.toISOString()}; the history starts ${list[0]?.time ?? 'never'}`);
    }
    return list[lo - 1]!;
  }

  /** A stored snapshot by the source's own id. */
  snapshotByExtId(source: string, id: string): SnapshotRow | undefined {
    return this.store.index(source).byExtId.get(id);
  }

  private computeTokens(): DataTokens {
    const db = this.store.db;
    const perSource = db.prepare(`SELECT source, count(*) AS n, max(id) AS last, max(time) AS newest,
      group_concat(CASE WHEN flag IS NOT NULL THEN id || ':' || flag END) AS flags FROM snapshots GROUP BY source ORDER BY source`).all();
    const sets = db.prepare('SELECT name, sha1 FROM region_sets ORDER BY name').all();
    const models = this.store.sources().map((s) => {
      try {
        return this.figureService.model(s);
      } catch {
        return `${s}:no-model`;
      }
    });
    const model = hash(JSON.stringify([API_REVISION, models]));
    const regions = hash(JSON.stringify(sets));
    return { model, regions, latest: hash(JSON.stringify([model, regions, perSource])) };
  }

  close(): void {
    this.store.close();
  }
}
