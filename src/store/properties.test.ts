import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.js';
import { Store } from './sqlite.js';

const apply = (db: Database.Database, from: number, to: number): void => {
  for (const m of MIGRATIONS.slice(from, to)) {
    if (typeof m === 'string') db.exec(m);
    else m(db);
  }
};

test('migration 9 stores each properties text once and keeps every feature reading its own', () => {
  const db = new Database(':memory:');
  apply(db, 0, 8);
  const put = db.prepare('INSERT INTO features (hash, geom_type, properties, geom) VALUES (?, ?, ?, ?)');
  const texts = ['{"name":"a"}', '{"name":"b"}', '{"name":"a"}', '{"name":"c","x":1}', '{"name":"b"}'];
  texts.forEach((t, i) => put.run(Buffer.of(i), 'Polygon', t, Buffer.of(3)));
  apply(db, 8, 9);
  assert.equal((db.prepare('SELECT count(*) AS n FROM properties').get() as { n: number }).n, 3);
  const rows = db.prepare('SELECT f.id, p.json FROM features f JOIN properties p ON p.id = f.properties_id ORDER BY f.id').all() as { json: string }[];
  assert.deepEqual(rows.map((r) => r.json), texts);
  assert.ok(!(db.prepare('PRAGMA table_info(features)').all() as { name: string }[]).some((c) => c.name === 'properties'), 'the old column is gone');
  db.close();
});

test('a new feature reuses a stored properties text and reads back its own', () => {
  const store = new Store(':memory:');
  const encoded = (properties: string) => () => ({ geomType: 'Polygon', properties, geom: Buffer.of(3), bbox: [0, 0, 1, 1] as [number, number, number, number] });
  const a = store.putFeature(Buffer.of(1), encoded('{"name":"x"}'));
  const b = store.putFeature(Buffer.of(2), encoded('{"name":"x"}'));
  const c = store.putFeature(Buffer.of(3), encoded('{"name":"y"}'));
  assert.equal(store.putFeature(Buffer.of(1), encoded('{"name":"x"}')).added, false);
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM properties').get() as { n: number }).n, 2);
  assert.deepEqual(store.features([a.id, b.id, c.id]).sort((x, y) => x.id - y.id).map((f) => f.properties), ['{"name":"x"}', '{"name":"x"}', '{"name":"y"}']);
  store.close();
});
