/**
 * The SQLite store (better-sqlite3 12; 13 needs Node 22). One file holds the whole history:
 * each distinct feature once, each snapshot as its list of feature ids, classifications per
 * rule-set version, region sets, and figures materialised per snapshot.
 *
 * Every write that a command makes goes through `transaction`, so an import that fails or is
 * killed leaves the file as it was (SQLite's rollback journal).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { UserError } from '../model/errors.js';
import { MIGRATIONS, propertiesHash } from './migrations.js';
import { decodeFeatureIds, encodeFeatureIds } from './feature-ids.js';

export interface SnapshotRow {
  id: number;
  source: string;
  ext_id: string;
  time: string;
  raw_bytes: number;
  raw_sha1: string;
  origin: string;
  imported_at: string;
  flag: string | null;
}

export interface FeatureRow {
  id: number;
  geom_type: string;
  properties: string;
  geom: Buffer;
}

/** Upgrading a database from before this schema version rewrites it (migration 9 moves the features' properties). */
const VACUUM_AFTER = 9;

export function defaultDbPath(flag?: string): string {
  return flag ?? process.env.FRONTLINE_DB ?? './frontline.db';
}

export class Store {
  readonly db: Database.Database;

  constructor(readonly path: string, opts: { readonly?: boolean; mustExist?: boolean } = {}) {
    if ((opts.mustExist || opts.readonly) && path !== ':memory:' && !existsSync(path)) {
      throw new UserError(`${path}: no such database; import a source first (frontline import …) or pass --db`);
    }
    try {
      this.db = new Database(path, { readonly: opts.readonly ?? false });
    } catch (e) {
      throw new UserError(`${path}: cannot open database (${(e as Error).message})`);
    }
    this.db.pragma('foreign_keys = ON');
    // reads through a memory map: a query touching pages all over the file (the figures of every
    // snapshot) then costs no system call per page; SQLite keeps writes going through the file
    this.db.pragma('mmap_size = 1073741824');
    if (!opts.readonly) this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new UserError(`${this.path}: database schema ${version} is newer than this frontline (${MIGRATIONS.length}); upgrade frontline`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        const m = MIGRATIONS[v]!;
        if (typeof m === 'string') this.db.exec(m);
        else m(this.db);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
    // a migration that moves much of the file's content leaves its pages half empty: rewritten
    // once, so that an upgraded database is as small as a new import makes it
    if (version > 0 && version < VACUUM_AFTER && MIGRATIONS.length >= VACUUM_AFTER) this.db.exec('VACUUM');
  }

  /** Statements prepared once per connection: the same few queries run for every snapshot. */
  private readonly statements = new Map<string, Database.Statement>();
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }

  // --- features -----------------------------------------------------------------------------

  /**
   * Stores a feature unless one with the same hash (SHA-1 of its canonical text, see
   * sources/digest.ts) is there; returns its id and whether it was new. `encode` runs only for a
   * new feature: most features of a snapshot are already stored.
   */
  putFeature(hash: Buffer, encode: () => { geomType: string; properties: string; geom: Buffer; bbox: [number, number, number, number] }): { id: number; added: boolean } {
    const found = this.sql('SELECT id FROM features WHERE hash = ?').get(hash) as { id: number } | undefined;
    if (found) return { id: found.id, added: false };
    const f = encode();
    const info = this.sql('INSERT INTO features (hash, geom_type, properties_id, geom, min_x, min_y, max_x, max_y) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(hash, f.geomType, this.propertiesId(f.properties), f.geom, ...f.bbox);
    return { id: Number(info.lastInsertRowid), added: true };
  }

  /** The id of a properties text, stored on first use (features share a few thousand texts). */
  private propertiesId(json: string): number {
    const h = propertiesHash(json);
    const found = this.sql('SELECT id FROM properties WHERE hash = ?').get(h) as { id: number } | undefined;
    return found ? found.id : Number(this.sql('INSERT INTO properties (hash, json) VALUES (?, ?)').run(h, json).lastInsertRowid);
  }

  features(ids: number[]): FeatureRow[] {
    if (ids.length === 0) return [];
    const rows: FeatureRow[] = [];
    const stmt = this.sql('SELECT f.id, f.geom_type, p.json AS properties, f.geom FROM features f JOIN properties p ON p.id = f.properties_id WHERE f.id IN (SELECT value FROM json_each(?))');
    for (let i = 0; i < ids.length; i += 5000) rows.push(...(stmt.all(JSON.stringify(ids.slice(i, i + 5000))) as FeatureRow[]));
    return rows;
  }

  // --- classifications ----------------------------------------------------------------------

  classifications(ruleset: string, ids: number[]): Map<number, { status: string; rule: string | null }> {
    const out = new Map<number, { status: string; rule: string | null }>();
    const stmt = this.sql('SELECT feature_id, status, rule FROM classifications WHERE ruleset = ? AND feature_id IN (SELECT value FROM json_each(?))');
    for (let i = 0; i < ids.length; i += 5000) {
      for (const r of stmt.all(ruleset, JSON.stringify(ids.slice(i, i + 5000))) as { feature_id: number; status: string; rule: string | null }[]) {
        out.set(r.feature_id, { status: r.status, rule: r.rule });
      }
    }
    return out;
  }

  putClassification(featureId: number, ruleset: string, status: string, rule: string | null): void {
    this.sql('INSERT OR REPLACE INTO classifications (feature_id, ruleset, status, rule) VALUES (?, ?, ?, ?)').run(featureId, ruleset, status, rule);
  }

  // --- snapshots ----------------------------------------------------------------------------

  hasSnapshot(source: string, extId: string): boolean {
    return this.sql('SELECT 1 FROM snapshots WHERE source = ? AND ext_id = ?').get(source, extId) !== undefined;
  }

  putSnapshot(s: { source: string; extId: string; time: Date; featureIds: number[]; rawBytes: number; rawSha1: string; origin: string }): number {
    const ids = encodeFeatureIds(s.featureIds);
    const info = this.sql('INSERT INTO snapshots (source, ext_id, time, feature_ids, raw_bytes, raw_sha1, origin, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(s.source, s.extId, s.time.toISOString().replace('.000Z', 'Z'), ids, s.rawBytes, s.rawSha1, s.origin, new Date().toISOString());
    return Number(info.lastInsertRowid);
  }

  /**
   * Every snapshot's id and time in order, read from the (source, time) index alone: finding the
   * snapshot of a date this way does not read the rows, whose feature lists fill most pages.
   */
  snapshotTimes(source: string): { id: number; time: string }[] {
    return this.sql('SELECT id, time FROM snapshots WHERE source = ? ORDER BY time, id').all(source) as { id: number; time: string }[];
  }

  snapshot(id: number): SnapshotRow | undefined {
    return this.sql('SELECT id, source, ext_id, time, raw_bytes, raw_sha1, origin, imported_at, flag FROM snapshots WHERE id = ?').get(id) as SnapshotRow | undefined;
  }

  snapshots(source?: string): SnapshotRow[] {
    const cols = 'id, source, ext_id, time, raw_bytes, raw_sha1, origin, imported_at, flag';
    return (source
      ? this.sql(`SELECT ${cols} FROM snapshots WHERE source = ? ORDER BY time, id`).all(source)
      : this.sql(`SELECT ${cols} FROM snapshots ORDER BY time, id`).all()) as SnapshotRow[];
  }

  snapshotFeatureIds(snapshotId: number): number[] {
    const row = this.sql('SELECT feature_ids FROM snapshots WHERE id = ?').get(snapshotId) as { feature_ids: Buffer } | undefined;
    if (!row) return [];
    return decodeFeatureIds(row.feature_ids);
  }

  sources(): string[] {
    return (this.sql('SELECT DISTINCT source FROM snapshots ORDER BY source').all() as { source: string }[]).map((r) => r.source);
  }

  setFlag(snapshotId: number, flag: string | null): void {
    this.sql('UPDATE snapshots SET flag = ? WHERE id = ?').run(flag, snapshotId);
  }

  // --- region sets --------------------------------------------------------------------------

  putRegionSet(name: string, origin: string, nameField: string, sha1: string, regions: { name: string; geom: Buffer }[]): void {
    this.sql('DELETE FROM region_sets WHERE name = ?').run(name);
    this.sql('DELETE FROM figures WHERE region_set = ?').run(name);
    this.sql('DELETE FROM cell_cache WHERE region_set = ?').run(name);
    this.sql('INSERT INTO region_sets (name, origin, name_field, sha1, added_at) VALUES (?, ?, ?, ?, ?)').run(name, origin, nameField, sha1, new Date().toISOString());
    const ins = this.sql('INSERT INTO regions (set_name, name, geom) VALUES (?, ?, ?)');
    for (const r of regions) ins.run(name, r.name, r.geom);
  }

  /** A region set's name, origin and content hash, without its regions. */
  regionSetInfo(name: string): { name: string; origin: string; sha1: string } | undefined {
    return this.sql('SELECT name, origin, sha1 FROM region_sets WHERE name = ?').get(name) as { name: string; origin: string; sha1: string } | undefined;
  }

  regionSet(name: string): { name: string; origin: string; sha1: string; regions: { name: string; geom: Buffer }[] } | undefined {
    const set = this.sql('SELECT name, origin, sha1 FROM region_sets WHERE name = ?').get(name) as { name: string; origin: string; sha1: string } | undefined;
    if (!set) return undefined;
    const regions = this.sql('SELECT name, geom FROM regions WHERE set_name = ? ORDER BY name').all(name) as { name: string; geom: Buffer }[];
    return { ...set, regions };
  }

  regionSetNames(): string[] {
    return (this.sql('SELECT name FROM region_sets ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }

  // --- figures and caches -------------------------------------------------------------------

  getFigures(snapshotId: number, regionSet: string, model: string): Buffer | undefined {
    const r = this.sql('SELECT data FROM figures WHERE snapshot_id = ? AND region_set = ? AND model = ?').get(snapshotId, regionSet, model) as { data: Buffer } | undefined;
    return r?.data;
  }

  hasFigures(snapshotId: number, regionSet: string, model: string): boolean {
    return this.sql('SELECT 1 FROM figures WHERE snapshot_id = ? AND region_set = ? AND model = ?').get(snapshotId, regionSet, model) !== undefined;
  }

  /** Whether any of the source's snapshots has figures for the region set under the model. */
  figuresInUse(source: string, regionSet: string, model: string): boolean {
    return this.sql('SELECT 1 FROM figures f JOIN snapshots s ON s.id = f.snapshot_id WHERE f.region_set = ? AND f.model = ? AND s.source = ? LIMIT 1').get(regionSet, model, source) !== undefined;
  }

  /** The source's snapshots holding figures for a region set under a model (one lookup per snapshot, inside SQLite). */
  snapshotsWithFigures(source: string, regionSet: string, model: string): Set<number> {
    const rows = this.sql('SELECT s.id FROM snapshots s WHERE s.source = ? AND EXISTS (SELECT 1 FROM figures f WHERE f.snapshot_id = s.id AND f.region_set = ? AND f.model = ?)').all(source, regionSet, model) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  putFigures(snapshotId: number, regionSet: string, model: string, data: Buffer): void {
    this.sql('INSERT OR REPLACE INTO figures (snapshot_id, region_set, model, data) VALUES (?, ?, ?, ?)').run(snapshotId, regionSet, model, data);
  }

  getCell(regionSet: string, model: string, key: string): Buffer | undefined {
    return (this.sql('SELECT data FROM cell_cache WHERE region_set = ? AND model = ? AND key = ?').get(regionSet, model, Buffer.from(key, 'base64')) as { data: Buffer } | undefined)?.data;
  }

  putCell(regionSet: string, model: string, key: string, data: Buffer): void {
    this.sql('INSERT OR REPLACE INTO cell_cache (region_set, model, key, data) VALUES (?, ?, ?, ?)').run(regionSet, model, Buffer.from(key, 'base64'), data);
  }

  // --- control geometry (control/geometry.ts) ---------------------------------------------------

  controlCell(model: string, key: Buffer): Buffer | undefined {
    return (this.sql('SELECT data FROM control_cells WHERE model = ? AND key = ?').get(model, key) as { data: Buffer } | undefined)?.data;
  }

  hasControlCell(model: string, key: Buffer): boolean {
    return this.sql('SELECT 1 FROM control_cells WHERE model = ? AND key = ?').get(model, key) !== undefined;
  }

  putControlCell(model: string, key: Buffer, data: Buffer): void {
    this.sql('INSERT OR REPLACE INTO control_cells (model, key, data) VALUES (?, ?, ?)').run(model, key, data);
  }

  cellTransitions(model: string, keyA: Buffer, keyB: Buffer): Buffer | undefined {
    return (this.sql('SELECT data FROM cell_transitions WHERE model = ? AND key_a = ? AND key_b = ?').get(model, keyA, keyB) as { data: Buffer } | undefined)?.data;
  }

  putCellTransitions(model: string, keyA: Buffer, keyB: Buffer, data: Buffer): void {
    this.sql('INSERT OR REPLACE INTO cell_transitions (model, key_a, key_b, data) VALUES (?, ?, ?, ?)').run(model, keyA, keyB, data);
  }

  /** Cells' stored ground (control/ground-store.ts) by key (hex), under the model's short hash; one query for all. */
  cellGrounds(model: Buffer, keys: Buffer[]): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    const stmt = this.sql('SELECT key, data FROM cell_grounds WHERE model = ? AND key IN (SELECT unhex(value) FROM json_each(?))');
    for (let i = 0; i < keys.length; i += 5000) {
      for (const r of stmt.all(model, JSON.stringify(keys.slice(i, i + 5000).map((k) => k.toString('hex')))) as { key: Buffer; data: Buffer }[]) out.set(r.key.toString('hex'), r.data);
    }
    return out;
  }

  /** Stores a cell's ground and makes it the cell's head: the version the next one is coded against. */
  putCellGround(model: Buffer, cell: number, key: Buffer, data: Buffer): void {
    this.sql('INSERT OR IGNORE INTO cell_grounds (model, key, data) VALUES (?, ?, ?)').run(model, key, data);
    this.sql('INSERT OR REPLACE INTO cell_ground_heads (model, cell, key) VALUES (?, ?, ?)').run(model, cell, key);
  }

  /** The key of the cell's ground stored last, if any. */
  cellGroundHead(model: Buffer, cell: number): Buffer | undefined {
    return (this.sql('SELECT key FROM cell_ground_heads WHERE model = ? AND cell = ?').get(model, cell) as { key: Buffer } | undefined)?.key;
  }

  /** Cell keys recorded as holding no front under a model, as the blobs of 20-byte keys they were added in. */
  frontFreeKeys(model: string): Buffer[] {
    return (this.sql('SELECT keys FROM front_free WHERE model = ?').all(model) as { keys: Buffer }[]).map((r) => r.keys);
  }

  addFrontFreeKeys(model: string, keys: Buffer): void {
    this.sql('INSERT INTO front_free (model, keys) VALUES (?, ?)').run(model, keys);
  }

  /** A snapshot's stored cell keys (analytics/figures.ts encoding), under a model. */
  snapshotCellKeys(snapshotId: number, model: string): Buffer | undefined {
    return (this.sql('SELECT cells FROM snapshot_cells WHERE snapshot_id = ? AND model = ?').get(snapshotId, model) as { cells: Buffer } | undefined)?.cells;
  }

  putSnapshotCellKeys(snapshotId: number, model: string, cells: Buffer): void {
    this.sql('INSERT OR REPLACE INTO snapshot_cells (snapshot_id, model, cells) VALUES (?, ?, ?)').run(snapshotId, model, cells);
  }

  /** Stored feature indexes (control/feature-index.ts) of these features, by feature id. */
  featureIndexes(ids: number[]): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    const stmt = this.sql('SELECT feature_id, data FROM feature_cells WHERE feature_id IN (SELECT value FROM json_each(?))');
    for (let i = 0; i < ids.length; i += 5000) {
      for (const r of stmt.all(JSON.stringify(ids.slice(i, i + 5000))) as { feature_id: number; data: Buffer }[]) out.set(r.feature_id, r.data);
    }
    return out;
  }

  putFeatureIndex(featureId: number, data: Buffer): void {
    this.sql('INSERT OR REPLACE INTO feature_cells (feature_id, data) VALUES (?, ?)').run(featureId, data);
  }

  clearFeatureIndexes(): void {
    this.sql('DELETE FROM feature_cells').run();
  }

  meta(key: string): string | undefined {
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }
}
