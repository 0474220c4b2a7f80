import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { decodeFeatureIds, encodeFeatureIds } from './feature-ids.js';
import { MIGRATIONS } from './migrations.js';

test('feature lists round-trip in source order, steps back included', () => {
  for (const ids of [[], [1], [5, 6, 7, 3, 900_000, 2, 2 ** 31 + 5, 8]]) assert.deepEqual(decodeFeatureIds(encodeFeatureIds(ids)), ids);
  // consecutive ids cost a byte each
  assert.equal(encodeFeatureIds(Array.from({ length: 500 }, (_, i) => 1000 + i)).length, 2 + 499);
});

test('migration 6 re-encodes the uint32 feature lists of an existing database', () => {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS.slice(0, 5)) db.exec(m as string);
  const ids = [3, 1, 2, 70_000];
  db.prepare("INSERT INTO snapshots (source, ext_id, time, feature_ids, raw_bytes, raw_sha1, origin, imported_at) VALUES ('s', '1', '2024-01-01T00:00:00Z', ?, 0, '', '', '')").run(Buffer.from(Uint32Array.from(ids).buffer));
  const migrate = MIGRATIONS[5]!;
  assert.equal(typeof migrate, 'function');
  (migrate as (d: Database.Database) => void)(db);
  const row = db.prepare('SELECT feature_ids FROM snapshots').get() as { feature_ids: Buffer };
  assert.deepEqual(decodeFeatureIds(row.feature_ids), ids);
  db.close();
});
