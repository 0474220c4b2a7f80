import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Store } from '../store/sqlite.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { decodeCell, encodeCell } from './geometry.js';
import { GroundStore, MAX_DEPTH, type FreshGround } from './ground-store.js';
import { RUSSIA_CELL } from './engine.js';

const CELL = 30_015;
/** The land of the cell: a square with a bay, vertices off the 1e-7° grid as the border cells' are. */
const land: MultiPolygon = [[Float64Array.of(35, 47.5, 35.5, 47.5, 35.5, 48, 35.25, 48, 35.2500000003, 47.8, 35.2, 47.8, 35.2, 48, 35, 48, 35, 47.5)]];
const key = (i: number): string => createHash('sha1').update(`version ${i}`).digest('base64');

/** The i-th version of a cell's RU ground: the west of the cell up to a front that moves in the north, with a contested strip. */
function version(i: number, cell = CELL): FreshGround {
  const x = 35.1;
  const front: number[] = [];
  // the front's southern half stays, its northern half moves from version to version
  for (let k = 0; k <= 40; k++) front.push(x + 0.01 * Math.sin(k) + (k > 30 ? i * 0.00123456789 : 0), 47.5 + k * 0.0125);
  const ru = Float64Array.from([35, 47.5, ...front, 35, 48, 35, 47.5]);
  const contested = Float64Array.of(x, 47.6, x + 0.05, 47.6, x + 0.05, 47.7, x, 47.7, x, 47.6);
  return { cell, key: key(i), other: [[ru]], contested: i % 3 ? [[contested]] : [] };
}

/** What control/geometry.ts would store for the same ground: rounded to the 1e-7° grid. */
const rounded = (g: FreshGround) => decodeCell(encodeCell(g.cell === RUSSIA_CELL ? { ru: [], ua: g.other, contested: g.contested, front: [] } : { ru: g.other, ua: [], contested: g.contested, front: [] }));

test('ground stored as versions of a cell reads back as the cell stored whole would, in this process and the next', () => {
  const store = new Store(':memory:');
  const writer = new GroundStore(store, 'model', () => land);
  const versions = Array.from({ length: 2 * MAX_DEPTH + 5 }, (_, i) => version(i));
  const rows = versions.map((g) => writer.encode(g)!);
  store.transaction(() => writer.save(rows));
  // a version codes against the one before it, and every MAX_DEPTH + 1 versions one stands alone
  assert.ok(rows.slice(1).every((r, i) => r.data.length < rows[0]!.data.length || (i + 1) % (MAX_DEPTH + 1) === 0), 'versions coded against the one before are smaller');
  const reader = new GroundStore(store, 'model', () => land);
  const got = reader.grounds(versions.map((g) => ({ cell: g.cell, key: Buffer.from(g.key, 'base64') })));
  assert.equal(got.size, versions.length);
  for (const g of versions) assert.deepEqual(got.get(Buffer.from(g.key, 'base64').toString('hex')), rounded(g));
  // another model, or a key never stored: nothing
  assert.equal(new GroundStore(store, 'other model', () => land).grounds([{ cell: CELL, key: Buffer.from(key(3), 'base64') }]).size, 0);
  assert.equal(reader.grounds([{ cell: CELL, key: Buffer.from(key(999), 'base64') }]).size, 0);
  // a new process codes its first version against the head the last one stored
  const next = new GroundStore(store, 'model', () => land).encode(version(100))!;
  assert.ok(next.data.length < rows[0]!.data.length / 2, `${next.data.length} bytes against ${rows[0]!.data.length} alone`);
  store.close();
});

test('chains written deeper than this code writes them still read', () => {
  const store = new Store(':memory:');
  const writer = new GroundStore(store, 'model', () => land, 40);
  const versions = Array.from({ length: 41 }, (_, i) => version(i));
  const rows = versions.map((g) => writer.encode(g)!);
  store.transaction(() => writer.save(rows));
  assert.ok(rows.slice(1).every((r) => r.data[1] === 20), 'every version after the first coded against a base');
  const got = new GroundStore(store, 'model', () => land).grounds([{ cell: CELL, key: Buffer.from(versions[40]!.key, 'base64') }]);
  assert.deepEqual([...got.values()], [rounded(versions[40]!)]);
  store.close();
});

test('a version whose base is lost or damaged is not read (the cell is computed instead); the ground in Russia has no land', () => {
  const store = new Store(':memory:');
  const writer = new GroundStore(store, 'model', () => land);
  const rows = [0, 1, 2].map((i) => writer.encode(version(i))!);
  store.transaction(() => writer.save(rows));
  const hex = (i: number): string => Buffer.from(key(i), 'base64').toString('hex');
  store.db.prepare('UPDATE cell_grounds SET data = ? WHERE key = ?').run(Buffer.of(1, 0, 0, 9, 9, 9), Buffer.from(key(1), 'base64'));
  const got = new GroundStore(store, 'model', () => land).grounds([0, 1, 2].map((i) => ({ cell: CELL, key: Buffer.from(key(i), 'base64') })));
  assert.deepEqual([...got.keys()], [hex(0)]);
  const russia = version(5, RUSSIA_CELL);
  const r = new GroundStore(store, 'model', () => { throw new Error('no land for Russia'); });
  const row = r.encode(russia)!;
  store.transaction(() => r.save([row]));
  assert.deepEqual(new GroundStore(store, 'model', () => land).grounds([{ cell: RUSSIA_CELL, key: row.key }]).get(row.key.toString('hex')), rounded(russia));
  store.close();
});
