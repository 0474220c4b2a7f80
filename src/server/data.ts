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
import { FigureService, type SnapshotFigures } from '../analytics/figures.js';
import type { RegionFigure } from '../control/engine.js';
import { ControlGeometry } from '../control/geometry.js';
import { Store, type SnapshotRow } from '../store/sqlite.js';
import { MIGRATIONS } from '../store/migrations.js';

/** Bumped when a response's shape changes, so that clients' cached copies are not reused. */
export const API_REVISION = 'v1.1';

class ReadOnlyFigures extends FigureService {
  private readonly computed = new Map<string, RegionFigure[]>();

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

  override snapshots(source?: string): SnapshotRow[] {
    const key = source ?? '';
    let list = this.lists.get(key);
    if (!list) {
      list = super.snapshots(source);
      this.lists.set(key, list);
    }
    return list.slice(); // callers may sort or splice their copy
  }

  private sourceList: string[] | undefined;

  override sources(): string[] {
    this.sourceList ??= super.sources();
    return this.sourceList.slice();
  }

  forget(): void {
    this.lists.clear();
    this.sourceList = undefined;
  }
}

const hash = (s: string): string => createHash('sha1').update(s).digest('base64url').slice(0, 20);

export class ApiData {
  readonly store: ServerStore;
  private figureService!: FigureService;
  private controlGeometry: ControlGeometry | undefined;
  private version: number | undefined;
  private dataVersion: Statement | undefined;
  private current!: DataTokens;

  constructor(path: string) {
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
   * figure service (its prepared regions and classifiers would be out of date).
   */
  refresh(): void {
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
      this.controlGeometry = undefined;
      this.current = this.computeTokens();
    }
  }

  get figures(): FigureService {
    return this.figureService;
  }

  /** Control geometry per cell; cells it computes are kept in memory (the database is read-only). */
  get geometry(): ControlGeometry {
    this.controlGeometry ??= new ControlGeometry(this.store, this.figureService);
    return this.controlGeometry;
  }

  get tokens(): DataTokens {
    return this.current;
  }

  /** The stored snapshots of a source, oldest first (cached until the database changes). */
  snapshots(source: string): SnapshotRow[] {
    return this.store.snapshots(source);
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
