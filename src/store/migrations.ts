import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { encodeFeatureIds } from './feature-ids.js';

/**
 * Versioned schema migrations. Each entry (SQL, or a function for a change of encoding) runs
 * once, in order, inside a transaction; the applied version is kept in SQLite's user_version.
 * Never edit a released migration: add one.
 */
export type Migration = string | ((db: Database.Database) => void);

export const MIGRATIONS: Migration[] = [
  // 1: features stored once, snapshots as lists of feature ids, figures materialised per snapshot
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE features (
    id INTEGER PRIMARY KEY,
    hash BLOB NOT NULL UNIQUE,          -- sha1 of the feature's canonical JSON (properties + 2-D geometry)
    geom_type TEXT NOT NULL,
    properties TEXT NOT NULL,           -- JSON, as the source gave it
    geom BLOB NOT NULL,                 -- geometry/codec.ts
    min_x REAL, min_y REAL, max_x REAL, max_y REAL
  );
  CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    ext_id TEXT NOT NULL,               -- the source's own id (DeepStateMap: Unix seconds)
    time TEXT NOT NULL,                 -- ISO 8601 UTC
    feature_ids BLOB NOT NULL,          -- features.id in source order (store/feature-ids.ts; uint32 LE before migration 6)
    raw_bytes INTEGER NOT NULL,
    raw_sha1 TEXT NOT NULL,
    origin TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    flag TEXT,                          -- data-quality flag (analytics/quality.ts), NULL when plausible
    UNIQUE (source, ext_id)
  );
  CREATE INDEX snapshots_by_time ON snapshots (source, time);
  CREATE TABLE classifications (
    feature_id INTEGER NOT NULL REFERENCES features(id),
    ruleset TEXT NOT NULL,              -- "<source>@<version>"
    status TEXT NOT NULL,
    rule TEXT,
    PRIMARY KEY (feature_id, ruleset)
  ) WITHOUT ROWID;
  CREATE TABLE region_sets (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    name_field TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    added_at TEXT NOT NULL
  );
  CREATE TABLE regions (
    set_name TEXT NOT NULL REFERENCES region_sets(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    geom BLOB NOT NULL,
    PRIMARY KEY (set_name, name)
  ) WITHOUT ROWID;
  CREATE TABLE figures (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    region_set TEXT NOT NULL,
    model TEXT NOT NULL,                -- control-model fingerprint: rule set, borders, method version
    data BLOB NOT NULL,                 -- analytics/figures.ts encoding
    PRIMARY KEY (snapshot_id, region_set)
  ) WITHOUT ROWID;
  CREATE TABLE cell_cache (
    region_set TEXT NOT NULL,
    model TEXT NOT NULL,
    key BLOB NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (region_set, model, key)
  ) WITHOUT ROWID;
  `,
  // 2: control geometry per cell (control/geometry.ts), shared by change, front and the map
  `
  CREATE TABLE control_cells (
    model TEXT NOT NULL,                -- control-model fingerprint, as in figures
    key BLOB NOT NULL,                  -- sha1 of the cell id and the hashes of the pieces in it
    data BLOB NOT NULL,                 -- control/geometry.ts encoding
    PRIMARY KEY (model, key)
  ) WITHOUT ROWID;
  `,
  // 3: gazetteers of populated places and each place's control history (analytics/places.ts)
  `
  CREATE TABLE gazetteers (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,               -- the file it was read from, or the package for the built-in one
    sha1 TEXT NOT NULL,                 -- of the file's bytes
    credit TEXT NOT NULL,               -- attribution shown wherever its places are
    added_at TEXT NOT NULL
  );
  CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    gazetteer TEXT NOT NULL REFERENCES gazetteers(name) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,             -- places/names.ts folding, for lookups by name
    country TEXT NOT NULL,              -- ISO 3166-1 alpha-2, as the list gives it
    population INTEGER,                 -- NULL when the list gives none
    lon REAL NOT NULL,
    lat REAL NOT NULL,
    owner TEXT NOT NULL                 -- UKR or RUS: whose internationally recognised border holds it
  );
  CREATE INDEX places_by_key ON places (name_key);
  CREATE TABLE place_histories (
    source TEXT NOT NULL,
    place_id INTEGER NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    runs BLOB NOT NULL,                 -- little-endian uint32 pairs: snapshot id starting a run, side code
    PRIMARY KEY (source, place_id)
  ) WITHOUT ROWID;
  `,
  // 4: each snapshot's cell keys (control/engine.ts snapshotCells), stored with its control
  //    geometry, so that it is read back without cutting its polygons into cells again
  `
  CREATE TABLE snapshot_cells (
    snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
    model TEXT NOT NULL,                -- control-model fingerprint, as in figures
    cells BLOB NOT NULL,                -- per cell: int32 LE cell id, then the 20-byte key
    PRIMARY KEY (snapshot_id, model)
  ) WITHOUT ROWID;
  `,
  // 5: each feature's index on the grid of cells (control/feature-index.ts), so that a snapshot
  //    is keyed without cutting its polygons again and a new one cuts only its new features;
  //    valid for the cut recorded in meta 'feature-index' (analytics/figures.ts)
  `
  CREATE TABLE feature_cells (
    feature_id INTEGER PRIMARY KEY REFERENCES features(id),
    data BLOB NOT NULL
  );
  `,
  // 6: snapshots' feature lists from uint32 to varint steps (encodeFeatureIds)
  (db) => {
    const update = db.prepare('UPDATE snapshots SET feature_ids = ? WHERE id = ?');
    for (const r of db.prepare('SELECT id, feature_ids FROM snapshots').all() as { id: number; feature_ids: Buffer }[]) {
      const b = r.feature_ids;
      update.run(encodeFeatureIds(Array.from(new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)))), r.id);
    }
  },
  // 7: the cells found to hold no front when their figures were computed (control/front-line.ts
  //    mayHaveFront), so that a date's first front computes only the others
  `
  CREATE TABLE front_free (
    model TEXT NOT NULL,                -- control-model fingerprint and cell geometry version
    keys BLOB NOT NULL                  -- 20-byte cell keys, one after another
  );
  CREATE INDEX front_free_model ON front_free (model);
  `,
  // 8: the pieces that changed side inside a cell between two of its versions
  //    (analytics/transitions.ts), so that a change asked again overlays nothing
  `
  CREATE TABLE cell_transitions (
    model TEXT NOT NULL,                -- control-model fingerprint, cell geometry and transitions versions
    key_a BLOB NOT NULL,                -- the cell's key at the first date (empty: no such cell)
    key_b BLOB NOT NULL,                -- and at the second
    data BLOB NOT NULL,                 -- encodeTransitions
    PRIMARY KEY (model, key_a, key_b)
  ) WITHOUT ROWID;
  `,
  // 9: features' properties stored once each: the history's 17,700 features have 4,500 distinct
  //    property texts (a name and its style), which had taken a fifth of the database
  (db) => {
    db.exec(`
    CREATE TABLE properties (
      id INTEGER PRIMARY KEY,
      hash BLOB NOT NULL UNIQUE,        -- sha1 of the text
      json TEXT NOT NULL                -- JSON, as the source gave it
    );
    ALTER TABLE features ADD COLUMN properties_id INTEGER REFERENCES properties(id);
    `);
    const insert = db.prepare('INSERT INTO properties (hash, json) VALUES (?, ?)');
    const update = db.prepare('UPDATE features SET properties_id = ? WHERE id = ?');
    const ids = new Map<string, number>();
    for (const r of db.prepare('SELECT id, properties FROM features').all() as { id: number; properties: string }[]) {
      let pid = ids.get(r.properties);
      if (pid === undefined) ids.set(r.properties, (pid = Number(insert.run(propertiesHash(r.properties), r.properties).lastInsertRowid)));
      update.run(pid, r.id);
    }
    db.exec('ALTER TABLE features DROP COLUMN properties');
  },
  // 10: every cell's ground as its figures computed it, coded against an earlier version of the
  //     same cell (control/ground-store.ts), so that a change between any two dates cuts nothing
  `
  CREATE TABLE cell_grounds (
    model BLOB NOT NULL,                -- first 8 bytes of the sha1 of the ground's model
    key BLOB NOT NULL,                  -- the cell's key (as in snapshot_cells)
    data BLOB NOT NULL,                 -- control/ground-store.ts encoding
    PRIMARY KEY (model, key)
  ) WITHOUT ROWID;
  CREATE TABLE cell_ground_heads (
    model BLOB NOT NULL,                -- as in cell_grounds
    cell INTEGER NOT NULL,              -- cell id (-1: the ground in Russia)
    key BLOB NOT NULL,                  -- the version of the cell stored last: the next one is coded against it
    PRIMARY KEY (model, cell)
  ) WITHOUT ROWID;
  `,
];

/** The key a feature's properties text is stored under (table properties). */
export function propertiesHash(json: string): Buffer {
  return createHash('sha1').update(json).digest();
}
