/**
 * The HTTP API end to end: the real server on loopback over the shared whole-history database
 * (read-only), compared with the CLI's JSON, its OpenAPI document validated and every path in
 * it exercised, caching, compression and errors.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FrontlineServer } from '../src/server/server.js';
import { REFRESH_INTERVAL_MS } from '../src/server/data.js';
import { areaKm2 } from '../src/geometry/geodesic.js';
import { vertexCount, type MultiPolygon } from '../src/geometry/flat.js';
import { polygonsOf } from '../src/geometry/geojson.js';
import type { GeoJSONGeometry } from '../src/geometry/codec.js';
import { loadBorders } from '../src/control/borders.js';
import { ControlGeometry } from '../src/control/geometry.js';
import { FigureService } from '../src/analytics/figures.js';
import { Store } from '../src/store/sqlite.js';
import { HISTORY_REGION_SETS, historyDb, historyDbCopy } from './support/history-db.js';
import { deepstateHistoryFiles, sharedDataFile } from './support/data.js';
import { frontlineAsync } from './support/cli.js';
import { decodeCells, type DeltaCells } from '../web/src/delta.js';

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; text: string; json: () => unknown }

let tmp: string;
let dbPath: string;
let dbSha1: string;
let dbMtime: number;
let server: FrontlineServer;
let base: string;
let doc: { paths: Record<string, unknown>; components: unknown };
const logged: string[] = [];
/** Path templates of /openapi.json answered with a 200, to prove every one was exercised. */
const exercised = new Set<string>();
const errorBodies: string[] = [];

const sha1 = (p: string): string => createHash('sha1').update(readFileSync(p)).digest('hex');

function get(path: string, headers: Record<string, string> = {}, method = 'GET', serverBase = base): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, serverBase), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(body).toString('utf8') : body.toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 400) errorBodies.push(text);
        if (status === 200 && doc) {
          const pathname = new URL(path, serverBase).pathname;
          for (const template of Object.keys(doc.paths)) {
            if (new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`).test(pathname)) exercised.add(template);
          }
        }
        resolve({ status, headers: res.headers, body, text, json: () => JSON.parse(text) as unknown });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function cliJson(args: string[]): Promise<unknown> {
  const r = await frontlineAsync([...args, '--json', '--db', dbPath]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

async function cliError(args: string[]): Promise<string> {
  const r = await frontlineAsync([...args, '--db', dbPath]);
  assert.notEqual(r.code, 0);
  return r.stderr.trim();
}

let validateSchema: (name: string, value: unknown) => void;

type CellsGeoJSON = { features: { properties: { cell: string; side?: string; kind?: string }; geometry: { type: string; coordinates: unknown } }[] };

/**
 * The compact form (`format=delta`) of the same keys decodes to the GeoJSON form's features: the
 * same features in the same order, and the same coordinates (the same integers of 1e-6°, divided
 * alike, so equal exactly, which is within 1e-6° a fortiori). Returns the bodies' sizes.
 */
async function expectDeltaMatches(keys: string[], geo: CellsGeoJSON, serverBase = base): Promise<{ delta: number; geojson: number }> {
  const path = `/api/v1/control-cells?keys=${keys.join(',')}`;
  const r = await get(`${path}&format=delta`, { 'Accept-Encoding': 'gzip' }, 'GET', serverBase);
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  const body = r.json() as DeltaCells;
  validateSchema('ControlCellsDelta', body);
  assert.equal(body.scale, 1e6);
  assert.deepEqual(body.cells.map((c) => c.cell), [...new Set(keys)], 'one entry per key, in the order asked');
  const decoded = decodeCells(body);
  const features = [...new Set(keys)].flatMap((k) => decoded.get(k)!);
  assert.equal(features.length, geo.features.length);
  let maxDiff = 0;
  features.forEach((f, i) => {
    const g = geo.features[i]!;
    assert.deepEqual(f.properties, g.properties);
    assert.equal(f.geometry.type, g.geometry.type);
    const a = (f.geometry.coordinates as unknown[]).flat(3) as number[], b = (g.geometry.coordinates as unknown[]).flat(3) as number[];
    assert.equal(a.length, b.length, `${g.properties.cell}: vertex count`);
    for (let j = 0; j < a.length; j++) maxDiff = Math.max(maxDiff, Math.abs(a[j]! - b[j]!));
    assert.deepEqual(f.geometry.coordinates, g.geometry.coordinates);
  });
  assert.ok(maxDiff <= 1e-6, `decoded coordinates differ by ${maxDiff}°`);
  const gz = await get(path, { 'Accept-Encoding': 'gzip' }, 'GET', serverBase);
  return { delta: r.body.length, geojson: gz.body.length };
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'frontline-api-'));
  ({ path: dbPath } = await historyDb());
  dbSha1 = sha1(dbPath);
  dbMtime = statSync(dbPath).mtimeMs;
  // a built web app as Vite lays it out: index.html and content-hashed assets
  const web = join(tmp, 'web');
  mkdirSync(join(web, 'assets'), { recursive: true });
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>frontline</title><script type="module" src="./assets/index-B3x9_aQz.js"></script>');
  writeFileSync(join(web, 'assets', 'index-B3x9_aQz.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  server = new FrontlineServer({ db: dbPath, webDir: web, log: (m) => logged.push(m) });
  base = await server.listen(0, '127.0.0.1');
  const r = await get('/openapi.json');
  assert.equal(r.status, 200);
  doc = r.json() as typeof doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  ajv.addSchema({ $id: 'https://frontline.local/openapi.json', ...doc } as object);
  validateSchema = (name, value) => {
    const ok = ajv.validate({ $ref: `https://frontline.local/openapi.json#/components/schemas/${name}` }, value);
    assert.ok(ok, `${name}: ${ajv.errorsText(ajv.errors)}`);
  };
});

after(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('/openapi.json is a valid OpenAPI 3 document', async () => {
  const v = new Validator();
  const res = await v.validate(doc as unknown as Parameters<Validator['validate']>[0]);
  assert.ok(res.valid, JSON.stringify(res.errors, null, 2));
  assert.equal(v.version, '3.1');
  for (const p of ['/api/v1/snapshots', '/api/v1/area', '/api/v1/series', '/api/v1/regions', '/api/v1/regions/{set}/geojson', '/api/v1/snapshots/{id}/control', '/api/v1/control-cells', '/api/v1/control-keys']) {
    assert.ok(doc.paths[p], `documents ${p}`);
  }
});

test('snapshots: the whole history, oldest first, in the documented shape', async () => {
  const r = await get('/api/v1/snapshots');
  assert.equal(r.status, 200);
  const body = r.json() as { source: string; snapshots: { id: string; time: string; flag: string | null }[] };
  validateSchema('SnapshotList', body);
  assert.equal(body.source, 'deepstate');
  assert.equal(body.snapshots.length, 1359);
  assert.deepEqual(body.snapshots.map((s) => s.time), [...body.snapshots.map((s) => s.time)].sort());
  // DeepStateMap ids are their update time in Unix seconds
  for (const s of body.snapshots) assert.equal(new Date(Number(s.id) * 1000).toISOString().replace('.000Z', 'Z'), s.time);
  const cli = (await cliJson(['snapshots'])) as { source: string; id: string; time: string; flag: string | null }[];
  assert.deepEqual(body.snapshots, cli.map(({ id, time, flag }) => ({ id, time, flag })));
  assert.equal((await get('/api/v1/snapshots?source=deepstate')).text, r.text);
});

test('area equals `frontline area --json` for dates and region sets', async () => {
  const cases: [string, string | undefined][] = [
    ['2022-04-03', undefined], ['2024-09-01', undefined], ['2024-09-01', 'border'],
    ['2025-03-13', 'oblasts'], ['2025-08-03', 'oblasts'], ['2025-01-15T12:00:00Z', 'border'],
  ];
  for (const [at, set] of cases) {
    const r = await get(`/api/v1/area?at=${encodeURIComponent(at)}${set ? `&regions=${set}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const api = r.json();
    validateSchema('Area', api);
    assert.deepEqual(api, await cliJson(['area', '--at', at, ...(set ? ['--regions', set] : [])]), `${at} ${set}`);
  }
});

test('area by snapshot id equals area by the same time', async () => {
  const byDate = (await get('/api/v1/area?at=2025-03-13&regions=oblasts')).json() as { snapshot: { id: string; time: string } };
  assert.equal(byDate.snapshot.id, '1741873398');
  const byId = await get(`/api/v1/area?snapshot=${byDate.snapshot.id}&regions=oblasts`);
  assert.equal(byId.status, 200);
  assert.deepEqual(byId.json(), byDate);
  const byTime = await get(`/api/v1/area?at=${byDate.snapshot.time}&regions=oblasts`);
  assert.deepEqual(byTime.json(), byDate);
});

test('series equals `frontline series --json`', async () => {
  const cases: [string, string[]][] = [
    ['from=2024-08-01&to=2024-10-01&every=week&regions=border', ['--from', '2024-08-01', '--to', '2024-10-01', '--every', 'week', '--regions', 'border']],
    ['from=2025-03-01&to=2025-03-05', ['--from', '2025-03-01', '--to', '2025-03-05']],
    ['from=2022-01-01&to=2025-12-31&every=month&regions=oblasts&skip_flagged=true', ['--from', '2022-01-01', '--to', '2025-12-31', '--every', 'month', '--regions', 'oblasts', '--skip-flagged']],
  ];
  for (const [q, args] of cases) {
    const r = await get(`/api/v1/series?${q}`);
    assert.equal(r.status, 200, r.text);
    const api = r.json() as unknown[];
    validateSchema('Series', api);
    assert.ok(api.length > 1, q);
    assert.deepEqual(api, await cliJson(['series', ...args]), q);
  }
});

const vertices = new Map<string, number>();

/** Geodesic area of each region's full outline, from the files the sets were imported from. */
function fullOutlines(set: string): Map<string, number> {
  const out = new Map<string, number>();
  if (set === 'countries') {
    const b = loadBorders();
    out.set('Ukraine', b.areaKm2.UKR);
    out.set('Russia', b.areaKm2.RUS);
    vertices.set('countries/Ukraine', vertexCount(b.ukraine));
    vertices.set('countries/Russia', vertexCount(b.russia));
    return out;
  }
  const { file, nameField } = HISTORY_REGION_SETS[set as keyof typeof HISTORY_REGION_SETS];
  const fc = JSON.parse(readFileSync(sharedDataFile(...file), 'utf8')) as { features: { properties: Record<string, string>; geometry: GeoJSONGeometry }[] };
  for (const f of fc.features) {
    const mp = polygonsOf(f.geometry), name = f.properties[nameField]!;
    out.set(name, areaKm2(mp));
    vertices.set(`${set}/${name}`, vertexCount(mp));
  }
  return out;
}

test('regions: every set with its region names; outlines simplified, one feature per region', async () => {
  const r = await get('/api/v1/regions');
  assert.equal(r.status, 200);
  const body = r.json() as { sets: { name: string; regions: string[] }[] };
  validateSchema('RegionSets', body);
  assert.deepEqual(body.sets.map((s) => s.name), ['countries', 'border', 'oblasts']);
  assert.deepEqual(body.sets[0]!.regions, ['Ukraine', 'Russia']);
  // the same names, in the same order, as the area rows of each set
  for (const set of body.sets) {
    const area = (await get(`/api/v1/area?at=2025-03-13&regions=${set.name}`)).json() as { rows: { region: string }[] };
    assert.deepEqual(set.regions, [...new Set(area.rows.map((x) => x.region))].filter((n) => n !== 'unassigned'));
  }
  assert.equal(body.sets.find((s) => s.name === 'oblasts')!.regions.length, 25);

  for (const set of body.sets) {
    const g = await get(`/api/v1/regions/${set.name}/geojson`, { 'Accept-Encoding': 'gzip' });
    assert.equal(g.status, 200);
    assert.match(String(g.headers['content-type']), /^application\/geo\+json/);
    const fc = g.json() as { features: { properties: { name: string }; geometry: { coordinates: number[][][][] } }[] };
    validateSchema('RegionFeatureCollection', fc);
    assert.deepEqual(fc.features.map((f) => f.properties.name), set.regions);
    // simplified for display, yet within 0.5% of each region's full outline
    const full = fullOutlines(set.name);
    for (const f of fc.features) {
      const mp: MultiPolygon = f.geometry.coordinates.map((poly) => poly.map((ring) => Float64Array.from(ring.flat())));
      const drawn = areaKm2(mp), whole = full.get(f.properties.name)!;
      assert.ok(Math.abs(drawn - whole) / whole < 0.005, `${set.name}/${f.properties.name}: simplified ${drawn}, full ${whole}`);
      assert.ok(f.geometry.coordinates.flat(2).length < (vertices.get(`${set.name}/${f.properties.name}`) ?? Infinity));
    }
  }
  const countries = await get('/api/v1/regions/countries/geojson');
  assert.ok(countries.body.length < 2_500_000, `countries outline ${countries.body.length} bytes`);
});

test('control geometry: cell keys per snapshot, cells by key, areas equal the figures', async () => {
  // September 2024: RU ground in Ukraine, and UA and contested ground in Kursk Oblast
  const area = (await get('/api/v1/area?at=2024-09-01')).json() as { snapshot: { id: string }; rows: { region: string; side: string; km2: number }[] };
  const id = area.snapshot.id;
  const r = await get(`/api/v1/snapshots/${id}/control`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
  const ctl = r.json() as { snapshot: { id: string }; method: string; cells: string[] };
  validateSchema('SnapshotControl', ctl);
  assert.equal(ctl.snapshot.id, id);
  assert.ok(ctl.cells.length > 50, `${ctl.cells.length} cells`);
  assert.equal(new Set(ctl.cells).size, ctl.cells.length);

  const sums = { RU: 0, UA: 0, contested: 0 };
  let fronts = 0;
  const bytes = { delta: 0, geojson: 0 };
  for (let i = 0; i < ctl.cells.length; i += 200) {
    const keys = ctl.cells.slice(i, i + 200);
    const c = await get(`/api/v1/control-cells?keys=${keys.join(',')}`, { 'Accept-Encoding': 'gzip' });
    assert.equal(c.status, 200, c.text);
    assert.equal(c.headers['content-encoding'], 'gzip');
    assert.equal(c.headers['cache-control'], 'public, max-age=31536000, immutable');
    const fc = c.json() as { features: { properties: { cell: string; side?: 'RU' | 'UA' | 'contested'; kind?: string }; geometry: { type: string; coordinates: number[][][][] } }[] };
    validateSchema('ControlCells', fc);
    const sizes = await expectDeltaMatches(keys, fc as CellsGeoJSON);
    bytes.delta += sizes.delta;
    bytes.geojson += sizes.geojson;
    for (const f of fc.features) {
      assert.ok(keys.includes(f.properties.cell));
      if (f.properties.kind === 'front') { fronts++; assert.equal(f.geometry.type, 'MultiLineString'); continue; }
      assert.equal(f.geometry.type, 'MultiPolygon');
      sums[f.properties.side!] += areaKm2(f.geometry.coordinates.map((poly) => poly.map((ring) => Float64Array.from(ring.flat()))));
    }
  }
  assert.ok(fronts > 10, `${fronts} front features`);
  // the compact form is what the map downloads: clearly smaller, also gzipped
  assert.ok(bytes.delta < bytes.geojson * 0.8, `gzipped: compact ${bytes.delta} bytes, GeoJSON ${bytes.geojson}`);
  const fig = (region: string, side: string): number => area.rows.find((x) => x.region === region && x.side === side)!.km2;
  const near = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= Math.max(0.5, b * 0.001), `${what}: geometry ${a.toFixed(1)} km², figures ${b}`);
  near(sums.RU, fig('Ukraine', 'RU'), 'RU in Ukraine');
  near(sums.UA, fig('Russia', 'UA'), 'UA in Russia');
  near(sums.contested, fig('Ukraine', 'contested') + fig('Russia', 'contested'), 'contested');
  assert.ok(sums.UA > 300, `UA in Kursk Oblast ${sums.UA}`);
});

test('control keys: the stored key lists in one answer, as changes, equal to each /snapshots/{id}/control', async () => {
  // the shared database has no control geometry stored (`serve` prepares it before it listens):
  // nothing to list, and the app asks /snapshots/{id}/control instead
  const empty = await get('/api/v1/control-keys');
  assert.equal(empty.status, 200, empty.text);
  assert.equal(empty.headers['cache-control'], 'public, max-age=60');
  validateSchema('ControlKeys', empty.json());
  assert.deepEqual((empty.json() as { snapshots: unknown[] }).snapshots, []);

  // a copy with the geometry of some snapshots stored, as `serve` stores every one
  const dir = mkdtempSync(join(tmpdir(), 'frontline-api-keys-'));
  const copy = await historyDbCopy(dir);
  const all = ((await get('/api/v1/snapshots')).json() as { snapshots: { id: string }[] }).snapshots;
  const n = all.length;
  const chosen = [0, 1, 2, 700, n - 3, n - 2, n - 1];
  {
    const store = new Store(copy);
    try {
      const geometry = new ControlGeometry(store, new FigureService(store));
      const rows = store.snapshots('deepstate');
      for (const i of chosen) await geometry.ensureStored(rows[i]!);
      // as in a database prepared under an older cell geometry: the keys of one snapshot stored, not their geometry
      const keys = new FigureService(store).storedCellKeys(rows[chosen[3]!]!)!;
      const del = store.db.prepare('DELETE FROM control_cells WHERE key = ?');
      for (const k of keys) del.run(Buffer.from(k.key, 'base64'));
    } finally {
      store.close();
    }
  }
  const second = new FrontlineServer({ db: copy, webDir: dir, log: (m) => logged.push(m) });
  const url = await second.listen(0, '127.0.0.1');
  try {
    const r = await get('/api/v1/control-keys', { 'Accept-Encoding': 'gzip' }, 'GET', url);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers['cache-control'], 'public, max-age=60');
    assert.equal((await get('/api/v1/control-keys', { 'If-None-Match': String(r.headers.etag), 'Accept-Encoding': 'gzip' }, 'GET', url)).status, 304);
    const body = r.json() as { source: string; method: string; keys: string[]; snapshots: { id: string; add: number[]; remove: number[] }[] };
    validateSchema('ControlKeys', body);
    assert.equal(body.source, 'deepstate');
    assert.equal(new Set(body.keys).size, body.keys.length);
    // exactly the snapshots stored, oldest first
    assert.deepEqual(body.snapshots.map((s) => s.id), chosen.map((i) => all[i]!.id));
    // consecutive snapshots share most keys: the key table is far shorter than the lists
    const lists = new Map<string, string[]>();
    const current = new Set<number>();
    let listed = 0;
    for (const s of body.snapshots) {
      for (const k of s.remove) assert.ok(current.delete(k), `${s.id} removes key ${k}, which it does not hold`);
      for (const k of s.add) {
        assert.ok(!current.has(k), `${s.id} adds key ${k} twice`);
        current.add(k);
      }
      listed += current.size;
      lists.set(s.id, [...current].map((k) => body.keys[k]!).sort());
    }
    assert.ok(body.keys.length < listed / 2, `${body.keys.length} distinct keys in ${listed}`);
    const last = body.snapshots.at(-1)!;
    assert.ok(last.add.length + last.remove.length < lists.get(last.id)!.length / 4, 'neighbours differ by a few keys');
    // the listed keys' cells are there (a 404 names any unknown key), even those whose geometry is
    // not stored (removed from the copy above): made from a snapshot that holds them. A cell may
    // hold nothing worth drawing (slivers only), so not every key has a feature.
    const keys = lists.get(body.snapshots[3]!.id)!.slice(0, 30);
    const c = await get(`/api/v1/control-cells?keys=${keys.join(',')}`, {}, 'GET', url);
    assert.equal(c.status, 200, c.text);
    const fc = c.json() as { features: { properties: { cell: string } }[] };
    validateSchema('ControlCells', fc);
    await expectDeltaMatches(keys, fc as CellsGeoJSON, url);
    const drawn = new Set(fc.features.map((f) => f.properties.cell));
    for (const k of drawn) assert.ok(keys.includes(k), k);
    assert.ok(drawn.size > keys.length / 2, `${drawn.size} of ${keys.length} cells drawn`);
    // replaying the changes gives each snapshot's own list, on both servers
    for (const s of body.snapshots) {
      for (const server of [url, base]) {
        const ctl = (await get(`/api/v1/snapshots/${s.id}/control`, {}, 'GET', server)).json() as { cells: string[] };
        assert.deepEqual(lists.get(s.id), [...ctl.cells].sort(), `snapshot ${s.id}`);
      }
    }
  } finally {
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ETag and Cache-Control: 304 on a match; immutable for snapshot-addressed data, short for the rest', async () => {
  const a = await get('/api/v1/area?at=2024-09-01&regions=oblasts');
  const etag = String(a.headers.etag);
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(a.headers['cache-control'], 'public, max-age=60');
  const again = await get('/api/v1/area?regions=oblasts&at=2024-09-01'); // same question, other order
  assert.equal(again.headers.etag, etag);
  const nm = await get('/api/v1/area?at=2024-09-01&regions=oblasts', { 'If-None-Match': etag });
  assert.equal(nm.status, 304);
  assert.equal(nm.body.length, 0);
  assert.equal(nm.headers.etag, etag);
  const other = await get('/api/v1/area?at=2024-09-02&regions=oblasts', { 'If-None-Match': etag });
  assert.equal(other.status, 200);
  assert.notEqual(other.headers.etag, etag);

  const snaps = await get('/api/v1/snapshots');
  assert.equal(snaps.headers['cache-control'], 'public, max-age=60');
  assert.equal((await get('/api/v1/snapshots', { 'If-None-Match': String(snaps.headers.etag) })).status, 304);

  const id = (a.json() as { snapshot: { id: string } }).snapshot.id;
  const ctl = await get(`/api/v1/snapshots/${id}/control`, { 'Accept-Encoding': 'gzip' });
  assert.equal(ctl.headers['cache-control'], 'public, max-age=31536000, immutable');
  const gzTag = String(ctl.headers.etag);
  assert.match(gzTag, /-gzip"$/);
  const ctl304 = await get(`/api/v1/snapshots/${id}/control`, { 'If-None-Match': gzTag, 'Accept-Encoding': 'gzip' });
  assert.equal(ctl304.status, 304);
  const key = (ctl.json() as { cells: string[] }).cells[0]!;
  const cell = await get(`/api/v1/control-cells?keys=${key}`);
  assert.equal((await get(`/api/v1/control-cells?keys=${key}`, { 'If-None-Match': String(cell.headers.etag) })).status, 304);

  const spec = await get('/openapi.json');
  assert.equal((await get('/openapi.json', { 'If-None-Match': String(spec.headers.etag) })).status, 304);
});

test('gzip when accepted, identical content; identity otherwise', async () => {
  const plain = await get('/api/v1/series?from=2025-01-01&to=2025-02-01&regions=oblasts');
  const gz = await get('/api/v1/series?from=2025-01-01&to=2025-02-01&regions=oblasts', { 'Accept-Encoding': 'br, gzip;q=0.8' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.ok(gz.body.length * 5 < plain.body.length, `gzip ${gz.body.length} of ${plain.body.length} bytes`);
  assert.equal(gz.text, plain.text);
  const refused = await get('/api/v1/series?from=2025-01-01&to=2025-02-01&regions=oblasts', { 'Accept-Encoding': 'gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
});

test('bad parameters: 400 naming the parameter; the CLI\'s messages for dates and region sets', async () => {
  const cases: [string, RegExp][] = [
    ['/api/v1/area', /exactly one of the parameters at, snapshot/],
    ['/api/v1/area?at=2025-03-13&snapshot=1741873398', /exactly one of the parameters at, snapshot/],
    ['/api/v1/area?at=yesterday', /^at "yesterday" is not a date/],
    ['/api/v1/area?at=2025-02-30', /^at "2025-02-30" is not a date/],
    ['/api/v1/area?at=2025-03-13&colour=red', /unknown parameter "colour"/],
    ['/api/v1/area?at=2025-03-13&at=2025-03-14', /parameter "at" is given more than once/],
    ['/api/v1/area?at=2025-03-13&regions=', /parameter "regions" is empty/],
    ['/api/v1/area?snapshot=123', /^snapshot "123": no deepstate snapshot has this id/],
    ['/api/v1/area?at=2025-03-13&source=isw', /no snapshots of source "isw"/],
    ['/api/v1/series?to=2025-01-01', /missing required parameter "from"/],
    ['/api/v1/series?from=2025-01-01&to=2025-02-01&every=year', /^every "year": expected one of snapshot, day, week, month/],
    ['/api/v1/series?from=2025-01-01&to=2025-02-01&skip_flagged=yes', /^skip_flagged "yes": expected true or false/],
    ['/api/v1/series?from=2025-02-01&to=2025-01-01', /^from .* is after to/],
    [`/api/v1/control-cells?keys=${Array.from({ length: 201 }, (_, i) => `k${i}`).join(',')}`, /^keys: 201 items, at most 200/],
    ['/api/v1/control-cells', /missing required parameter "keys"/],
    ['/api/v1/control-cells?keys=AAAAAAAAAAAAAAAAAAAAAAAAAAA&format=topojson', /^format "topojson": expected one of geojson, delta$/],
    ['/api/v1/control-cells?keys=AAAAAAAAAAAAAAAAAAAAAAAAAAA&format=', /^parameter "format" is empty$/],
  ];
  for (const [path, message] of cases) {
    const r = await get(path);
    assert.equal(r.status, 400, `${path}: ${r.text}`);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    const { error } = r.json() as { error: string };
    assert.match(error, message, path);
    assert.equal(r.headers['cache-control'], 'no-store');
  }
  // the very messages of the CLI, which uses the same analytics
  const before = (await get('/api/v1/area?at=2021-06-01')).json() as { error: string };
  assert.equal(`frontline area: ${before.error}`, await cliError(['area', '--at', '2021-06-01']));
  assert.match(before.error, /the history starts 2022-04-03T12:33:28Z/);
  const unknownSet = (await get('/api/v1/area?at=2025-03-13&regions=rayons')).json() as { error: string };
  assert.equal(`frontline area: ${unknownSet.error}`, await cliError(['area', '--at', '2025-03-13', '--regions', 'rayons']));
  const seriesSet = (await get('/api/v1/series?from=2025-01-01&to=2025-02-01&regions=rayons')).json() as { error: string };
  assert.equal(seriesSet.error, unknownSet.error);
});

test('unknown paths and resources: 404 with a JSON message; other methods 405', async () => {
  const cases: [string, RegExp][] = [
    ['/api/v1/nowhere', /no such endpoint: \/api\/v1\/nowhere/],
    ['/api/v2/area?at=2025-01-01', /no such endpoint/],
    ['/api/v1/snapshots/123/control', /^id "123": no deepstate snapshot has this id/],
    ['/api/v1/regions/rayons/geojson', /unknown region set "rayons"; known: countries, border, oblasts/],
    ['/api/v1/control-cells?keys=AAAAAAAAAAAAAAAAAAAAAAAAAAA', /^keys: 1 unknown cell key/],
    ['/no-such-file.js', /no such file/],
    ['/../package.json', /no such file/],
    ['/%2e%2e/package.json', /no such file/],
    ['/assets/%2e%2e/%2e%2e/package.json', /no such file/],
  ];
  for (const [path, message] of cases) {
    const r = await get(path);
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.match((r.json() as { error: string }).error, message, path);
  }
  const post = await get('/api/v1/area?at=2025-03-13', {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
  const head = await get('/api/v1/area?at=2025-03-13', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
});

test('the web app: index.html revalidated, hashed assets immutable', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(String(index.headers['content-type']), /^text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.equal((await get('/', { 'If-None-Match': String(index.headers.etag) })).status, 304);
  const asset = await get('/assets/index-B3x9_aQz.js', { 'Accept-Encoding': 'gzip' });
  assert.equal(asset.status, 200);
  assert.match(String(asset.headers['content-type']), /^text\/javascript/);
  assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal(asset.headers['content-encoding'], 'gzip');
  assert.match(asset.text, /^console\.log\("x+"\);$/);
});

test('internal errors: 500 with a generic message, the details only in the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-api-broken-'));
  const copy = await historyDbCopy(dir);
  const broken = new FrontlineServer({ db: copy, webDir: dir, log: (m) => logged.push(m) });
  const url = await broken.listen(0, '127.0.0.1');
  try {
    assert.equal((await get('/api/v1/area?at=2025-03-13', {}, 'GET', url)).status, 200);
    // a damaged database: the figures table is gone under the running server
    const db = new Database(copy);
    db.exec('DROP TABLE figures');
    db.close();
    const r = await get('/api/v1/area?at=2025-03-14&regions=oblasts', {}, 'GET', url);
    assert.equal(r.status, 500);
    assert.deepEqual(r.json(), { error: 'internal error; the server log has the details' });
    assert.ok(logged.some((m) => /GET \/api\/v1\/area\?at=2025-03-14&regions=oblasts failed: .*no such table: figures/s.test(m)), logged.join('\n'));
  } finally {
    await broken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a commit by another process shows without a restart, also for URLs answered before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-api-refresh-'));
  const copy = await historyDbCopy(dir);
  const live = new FrontlineServer({ db: copy, webDir: dir, log: (m) => logged.push(m) });
  const url = await live.listen(0, '127.0.0.1');
  try {
    const paths = ['/api/v1/snapshots', '/api/v1/area?at=2025-03-13'];
    const before = new Map<string, Reply>();
    for (const path of paths) {
      const r = await get(path, {}, 'GET', url);
      assert.equal(r.status, 200, r.text);
      // asked again, the same URL is answered from the cache: the same bytes and tag
      const again = await get(path, {}, 'GET', url);
      assert.equal(again.text, r.text);
      assert.equal(again.headers.etag, r.headers.etag);
      const head = await get(path, {}, 'HEAD', url);
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers['content-length'], String(r.body.length));
      assert.equal(head.headers.etag, r.headers.etag);
      before.set(path, r);
    }
    // another process flags the snapshot of 2025-03-13
    const id = ((before.get(paths[1]!)!.json()) as { snapshot: { id: string } }).snapshot.id;
    const db = new Database(copy);
    db.prepare("UPDATE snapshots SET flag = 'flagged by hand' WHERE ext_id = ?").run(id);
    db.close();
    // the server looks for commits every REFRESH_INTERVAL_MS; wait for it (bounded)
    const etag = String(before.get(paths[0]!)!.headers.etag);
    let after = await get(paths[0]!, { 'If-None-Match': etag }, 'GET', url);
    for (let i = 0; i < 100 && after.status === 304; i++) {
      await new Promise((resolve) => setTimeout(resolve, REFRESH_INTERVAL_MS));
      after = await get(paths[0]!, { 'If-None-Match': etag }, 'GET', url);
    }
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.etag, etag);
    const flagged = (after.json() as { snapshots: { id: string; flag: string | null }[] }).snapshots.find((s) => s.id === id);
    assert.equal(flagged?.flag, 'flagged by hand');
    const area = await get(paths[1]!, { 'If-None-Match': String(before.get(paths[1]!)!.headers.etag) }, 'GET', url);
    assert.equal(area.status, 200);
    assert.notEqual(area.headers.etag, before.get(paths[1]!)!.headers.etag);
    assert.equal((area.json() as { snapshot: { flag: string | null } }).snapshot.flag, 'flagged by hand');
  } finally {
    await live.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stored control geometry: the same keys and cells as computed ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-api-stored-'));
  const copy = await historyDbCopy(dir);
  // store the geometry of a few snapshots, as `serve` does for all before it listens
  const store = new Store(copy);
  const snaps = store.snapshots('deepstate');
  const picked = [snaps[600]!, snaps[601]!, snaps[snaps.length - 1]!];
  const geometry = new ControlGeometry(store, new FigureService(store));
  for (const s of picked) await geometry.ensureStored(s);
  store.close();
  const stored = new FrontlineServer({ db: copy, webDir: dir, log: (m) => logged.push(m) });
  const url = await stored.listen(0, '127.0.0.1');
  try {
    for (const s of picked) {
      const path = `/api/v1/snapshots/${s.ext_id}/control`;
      const fromStore = await get(path, {}, 'GET', url);
      assert.equal(fromStore.status, 200, fromStore.text);
      // the shared server computes the cells of its unprepared database: keys name content
      assert.equal(fromStore.text, (await get(path)).text);
      const keys = (fromStore.json() as { cells: string[] }).cells.slice(0, 200);
      const cells = `/api/v1/control-cells?keys=${keys.join(',')}`;
      type Cells = { features: { properties: object; geometry: { type: string; coordinates: unknown } }[] };
      const a = (await get(cells, {}, 'GET', url)).json() as Cells;
      const b = (await get(cells)).json() as Cells;
      assert.deepEqual(a.features.map((f) => [f.properties, f.geometry.type]), b.features.map((f) => [f.properties, f.geometry.type]));
      // stored coordinates are rounded to 1e-7°, the answer to 1e-6°: equal up to one last digit
      const flat = (c: Cells): number[] => c.features.flatMap((f) => (f.geometry.coordinates as unknown[]).flat(3) as number[]);
      const fa = flat(a), fb = flat(b);
      assert.equal(fa.length, fb.length);
      assert.ok(fa.every((x, i) => Math.abs(x - fb[i]!) <= 1.01e-6), `${s.ext_id}: coordinates differ by more than 1e-6°`);
    }
  } finally {
    await stored.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('peak equals `frontline peak --json`', async () => {
  const q = 'side=UA&regions=border&region=Kursk%20Oblast&from=2024-08-01&to=2025-04-30&at=2025-03-13';
  const r = await get(`/api/v1/peak?${q}`);
  assert.equal(r.status, 200, r.text);
  const api = r.json() as { held: { peak_km2: number; at_km2: number; peak_snapshot: { time: string } } };
  assert.deepEqual(api, await cliJson(['peak', '--side', 'UA', '--regions', 'border', '--region', 'Kursk Oblast', '--from', '2024-08-01', '--to', '2025-04-30', '--at', '2025-03-13']));
  // Ukraine's ground in Kursk Oblast peaked in early September 2024 and was mostly lost by March 2025
  assert.ok(api.held.peak_km2 > 500 && api.held.at_km2 < api.held.peak_km2 / 2, JSON.stringify(api.held));
  assert.match(api.held.peak_snapshot.time, /^2024-(08|09)-/);
  const bad = await get('/api/v1/peak?side=PL&regions=border&region=Kursk&from=2024-08-01&to=2025-04-30');
  assert.equal(bad.status, 400);
  assert.match((bad.json() as { error: string }).error, /^side "PL": expected one of UA, RU/);
});

test('places endpoints answer 503 with the command to run while the database has no gazetteer', async () => {
  // a database imported by the CLI but never asked about places (the shared one has them)
  const dir = mkdtempSync(join(tmpdir(), 'frontline-api-noplaces-'));
  try {
    const history = join(dir, 'history');
    mkdirSync(history);
    for (const f of (await deepstateHistoryFiles()).slice(-2)) symlinkSync(f, join(history, basename(f)));
    const db = join(dir, 'noplaces.db');
    const imported = await frontlineAsync(['import', 'deepstate', history, '--db', db]);
    assert.equal(imported.code, 0, imported.stderr);
    const bare = new FrontlineServer({ db, webDir: dir, log: (m) => logged.push(m) });
    const url = await bare.listen(0, '127.0.0.1');
    try {
      for (const path of ['/api/v1/places/search?q=Pokr', '/api/v1/places?at=2025-08-03', '/api/v1/place?name=Avdiivka']) {
        const r = await get(path, {}, 'GET', url.replace(/\/$/, ''));
        assert.equal(r.status, 503, `${path}: ${r.text}`);
        assert.match((r.json() as { error: string }).error, /^places are not prepared in .*: run `frontline places --at YYYY-MM-DD --db /, path);
      }
    } finally {
      await bare.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('change, front and places equal the CLI on a copy of the database the CLI prepares', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-api-copy-'));
  const copy = await historyDbCopy(dir);
  const second = new FrontlineServer({ db: copy, webDir: dir, log: (m) => logged.push(m) });
  const url = await second.listen(0, '127.0.0.1');
  const api = async (path: string): Promise<unknown> => {
    const r = await get(path, { 'Accept-Encoding': 'gzip' }, 'GET', url);
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    return r.json();
  };
  const cli = async (args: string[]): Promise<unknown> => {
    const r = await frontlineAsync([...args, '--json', '--db', copy]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as unknown;
  };
  try {
    // the server computes control cells in memory first; the CLI then computes and stores its own
    const change = (await api('/api/v1/change?from=2025-02-01&to=2025-03-13&regions=oblasts')) as { rows: { region: string; side: string; net_km2: number; from_km2: number; to_km2: number }[] };
    assert.deepEqual(change, await cli(['change', '--from', '2025-02-01', '--to', '2025-03-13', '--regions', 'oblasts']));
    const donetsk = await api('/api/v1/change?from=2025-02-01&to=2025-03-13&regions=oblasts&region=Donetsk%20Oblast');
    assert.deepEqual(donetsk, await cli(['change', '--from', '2025-02-01', '--to', '2025-03-13', '--regions', 'oblasts', '--region', 'Donetsk Oblast']));
    // gained − lost = the change in held area, per region and side
    for (const row of change.rows) assert.ok(Math.abs(row.net_km2 - (row.to_km2 - row.from_km2)) <= 0.5, JSON.stringify(row));

    const front = await api('/api/v1/front?at=2025-03-13&regions=oblasts');
    assert.deepEqual(front, await cli(['front', '--at', '2025-03-13', '--regions', 'oblasts']));
    const frontFile = join(dir, 'front.geojson');
    await cli(['front', '--at', '2025-03-13', '--geojson', frontFile]);
    assert.deepEqual(await api('/api/v1/front?at=2025-03-13&format=geojson'), JSON.parse(readFileSync(frontFile, 'utf8')));

    // places: the CLI loads the gazetteer and computes place histories into the copy
    const places = (await cli(['places', '--at', '2025-03-13', '--limit', '30'])) as { places: { name: string }[] };
    assert.deepEqual(await api('/api/v1/places?at=2025-03-13&limit=30'), places);
    assert.equal(places.places.length, 30);
    assert.deepEqual(await api('/api/v1/places?at=2025-03-13&side=RU&regions=oblasts&region=Donetsk%20Oblast&limit=10'),
      await cli(['places', '--at', '2025-03-13', '--side', 'RU', '--regions', 'oblasts', '--region', 'Donetsk Oblast', '--limit', '10']));
    assert.deepEqual(await api('/api/v1/place?name=Avdiivka&near=37.74,48.14'), await cli(['place', 'Avdiivka', '--near', '37.74,48.14']));
    // two places share the name: the CLI's message lists both
    const ambiguous = await get('/api/v1/place?name=Avdiivka', {}, 'GET', url);
    assert.equal(ambiguous.status, 400);
    assert.equal(`frontline place: ${(ambiguous.json() as { error: string }).error}`, (await frontlineAsync(['place', 'Avdiivka', '--db', copy])).stderr.trim());
    const found = (await api('/api/v1/places/search?q=Pokr')) as { name: string; population: number }[];
    assert.ok(found.length > 1 && found.length <= 20, `${found.length} results`);
    assert.ok(found.some((p) => p.name === 'Pokrovsk'));
    for (const p of found) assert.match(p.name, /(^|[\s-])Pokr/i, 'the name or a word of it starts with the prefix');
    assert.deepEqual(found.map((p) => p.population), [...found.map((p) => p.population)].sort((a, b) => b - a));

    const changeFile = join(dir, 'change.geojson');
    const r = await frontlineAsync(['change', '--from', '2025-02-01', '--to', '2025-03-13', '--geojson', changeFile, '--db', copy]);
    assert.equal(r.code, 0, r.stderr);
    type Pieces = { from: unknown; to: unknown; features: { properties: { from_side: string; to_side: string; km2: number; nearest_place: unknown }; geometry: { coordinates: number[][][] } }[] };
    const pieces = (await api('/api/v1/change?from=2025-02-01&to=2025-03-13&format=geojson')) as Pieces;
    const written = JSON.parse(readFileSync(changeFile, 'utf8')) as Pieces;
    // The same change. This server cut the cells itself; the CLI read them back as stored, rounded
    // to 1e-7°, which leaves some pieces unsewn along cell edges (the CLI's own first and second
    // runs differ in the same way). So: equal totals per transition, and equal pieces of 0.01 km²
    // and more, with the same sides and nearest places.
    assert.deepEqual([pieces.from, pieces.to], [written.from, written.to]);
    const totals = (p: Pieces): Map<string, number> => {
      const m = new Map<string, number>();
      for (const f of p.features) m.set(`${f.properties.from_side}>${f.properties.to_side}`, (m.get(`${f.properties.from_side}>${f.properties.to_side}`) ?? 0) + f.properties.km2);
      return m;
    };
    const [ta, tb] = [totals(pieces), totals(written)];
    assert.deepEqual([...ta.keys()].sort(), [...tb.keys()].sort());
    for (const [k, v] of ta) assert.ok(Math.abs(v - tb.get(k)!) < 0.01, `${k}: ${v} vs ${tb.get(k)}`);
    const large = (p: Pieces): Pieces['features'] => p.features.filter((f) => f.properties.km2 >= 0.01);
    const [la, lb] = [large(pieces), large(written)];
    assert.equal(la.length, lb.length);
    la.forEach((f, i) => {
      const w = lb[i]!;
      assert.deepEqual([f.properties.from_side, f.properties.to_side, f.properties.nearest_place], [w.properties.from_side, w.properties.to_side, w.properties.nearest_place]);
      assert.ok(Math.abs(f.properties.km2 - w.properties.km2) <= 0.002, `${f.properties.km2} vs ${w.properties.km2}`);
      const ring = (c: number[][][]): number => areaKm2([c.map((r) => Float64Array.from(r.flat()))]);
      assert.ok(Math.abs(ring(f.geometry.coordinates) - ring(w.geometry.coordinates)) <= 0.002);
    });
    assert.ok(pieces.features.length > 0 && pieces.features.every((f) => f.properties.nearest_place !== null));
  } finally {
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every path in /openapi.json was exercised; no error carried a stack trace; the database was not written', () => {
  assert.deepEqual([...exercised].sort(), Object.keys(doc.paths).sort());
  assert.ok(errorBodies.length > 20);
  for (const body of errorBodies) {
    assert.doesNotMatch(body, /\n\s+at |\.ts:\d+|node:internal|SqliteError/, body);
    assert.equal(Object.keys(JSON.parse(body) as object).join(), 'error');
  }
  assert.equal(statSync(dbPath).mtimeMs, dbMtime);
  assert.equal(sha1(dbPath), dbSha1);
});
