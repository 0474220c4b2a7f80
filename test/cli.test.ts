/**
 * End to end through the CLI on real snapshots: import, figures, JSON shape, invariants,
 * idempotence, atomicity and the one-line errors for bad input.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, truncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deepstateHistoryFiles, sharedDataFile } from './support/data.js';
import { frontline } from './support/cli.js';
import Database from 'better-sqlite3';

let tmp: string;
let db: string;
let good: string;
const picked: string[] = [];

const sha = (path: string): string => createHash('sha1').update(readFileSync(path)).digest('hex');

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'frontline-cli-'));
  db = join(tmp, 'test.db');
  good = join(tmp, 'good');
  mkdirSync(good);
  const files = await deepstateHistoryFiles();
  // early 2022, the Kursk incursion (Aug 2024 – Mar 2025), and the end of the history
  const want = ['2022-05-01', '2024-09-01', '2025-01-15', '2025-08-03'].map((d) => Date.parse(d + 'T23:59:59Z') / 1000);
  for (const t of want) {
    const f = files.filter((p) => Number(p.split('/').pop()!.slice(0, -8)) <= t).pop()!;
    picked.push(f);
    copyFileSync(f, join(good, f.split('/').pop()!));
  }
  const r = frontline(['import', 'deepstate', good, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /4 snapshots added/);
  assert.match(r.stdout, /0 feature names not classified/);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('area --json has the documented shape and provenance', () => {
  const r = frontline(['area', '--at', '2024-09-01', '--json', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { snapshot: { source: string; id: string; time: string }; provenance: Record<string, string>; rows: { region: string; side: string; km2: number; share: number }[] };
  assert.equal(out.snapshot.source, 'deepstate');
  assert.equal(out.snapshot.id, picked[1]!.split('/').pop()!.slice(0, -8));
  assert.equal(out.snapshot.time, new Date(Number(out.snapshot.id) * 1000).toISOString().replace('.000Z', 'Z'));
  for (const k of ['source', 'snapshot', 'time', 'ruleset', 'borders', 'regions', 'method']) assert.ok(out.provenance[k], `provenance.${k}`);
  assert.deepEqual([...new Set(out.rows.map((x) => x.region))], ['Ukraine', 'Russia', 'unassigned']);
  const ukr = (side: string) => out.rows.find((x) => x.region === 'Ukraine' && x.side === side)!;
  // Ukraine's area is about 603,500 km² with its sea of Azov coast; land only here
  const total = ukr('RU').km2 + ukr('UA').km2 + ukr('contested').km2;
  assert.ok(total > 580_000 && total < 606_000, `Ukraine ${total}`);
  assert.ok(Math.abs(ukr('RU').share + ukr('UA').share + ukr('contested').share - 1) < 0.001);
  // September 2024: Russia holds about 18% of Ukraine; Ukraine holds ground in Kursk Oblast
  assert.ok(ukr('RU').share > 0.17 && ukr('RU').share < 0.19, `RU share ${ukr('RU').share}`);
  const uaInRussia = out.rows.find((x) => x.region === 'Russia' && x.side === 'UA')!.km2;
  assert.ok(uaInRussia > 300 && uaInRussia < 1500, `UA in Russia ${uaInRussia}`);
});

test('regions plus unassigned add up to the totals (per side)', () => {
  assert.equal(frontline(['regions', 'add', 'oblasts', sharedDataFile('regions', 'ukraine-oblasts.geojson'), '--name-field', 'name:en', '--db', db]).code, 0);
  const byCountry = JSON.parse(frontline(['area', '--at', '2025-08-03', '--json', '--db', db]).stdout) as { rows: { region: string; side: string; km2: number }[] };
  const byOblast = JSON.parse(frontline(['area', '--at', '2025-08-03', '--regions', 'oblasts', '--json', '--db', db]).stdout) as { rows: { region: string; side: string; km2: number }[] };
  assert.equal(new Set(byOblast.rows.map((r) => r.region)).size, 26); // 25 regions + unassigned
  for (const side of ['RU', 'UA', 'contested']) {
    const sum = (rows: { side: string; km2: number }[]): number => rows.filter((r) => r.side === side).reduce((a, r) => a + r.km2, 0);
    assert.ok(Math.abs(sum(byCountry.rows) - sum(byOblast.rows)) < 0.5, `${side}: ${sum(byCountry.rows)} vs ${sum(byOblast.rows)}`);
  }
  const donetsk = byOblast.rows.find((r) => r.region === 'Donetsk Oblast' && r.side === 'RU')!;
  // reported at the time as about three quarters of the oblast (26,517 km²)
  assert.ok(donetsk.km2 > 18_500 && donetsk.km2 < 22_500, `Donetsk RU ${donetsk.km2}`);
});

test('re-importing stores nothing new', () => {
  const before = sha(db);
  const r = frontline(['import', 'deepstate', good, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /0 snapshots added \(4 already stored\), 0 features added/);
  assert.equal(sha(db), before);
});

test('a bad file among good ones fails the whole import and leaves the database as it was', () => {
  const dir = join(tmp, 'mixed');
  mkdirSync(dir);
  const files = picked.map((p) => p.split('/').pop()!);
  copyFileSync(join(good, files[0]!), join(dir, '1800000000.geojson'));
  writeFileSync(join(dir, '1800000001.geojson'), '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[30,50],[31,50]');
  const before = sha(db);
  const r = frontline(['import', 'deepstate', dir, '--db', db]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /1800000001\.geojson: malformed JSON/);
  assert.equal(sha(db), before);
});

test('a folder of many files is read on worker threads: it stores exactly what importing them one by one stores, and a bad file fails it whole', async () => {
  const files = (await deepstateHistoryFiles()).slice(400, 410);
  const many = join(tmp, 'many');
  mkdirSync(many);
  for (const f of files) copyFileSync(f, join(many, f.split('/').pop()!));
  const pooled = join(tmp, 'pooled.db'), serial = join(tmp, 'serial.db');
  const r = frontline(['import', 'deepstate', many, '--db', pooled, '--no-figures']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /10 snapshots added/);
  for (const f of files) {
    const one = join(tmp, `one-${f.split('/').pop()!}`);
    mkdirSync(one);
    copyFileSync(f, join(one, f.split('/').pop()!));
    const s = frontline(['import', 'deepstate', one, '--db', serial, '--no-figures']);
    assert.equal(s.code, 0, s.stderr);
  }
  const dump = (path: string): string => {
    const d = new Database(path, { readonly: true });
    try {
      const rows = [
        ...d.prepare('SELECT f.id, hex(f.hash), f.geom_type, p.json, hex(f.geom), f.min_x, f.min_y, f.max_x, f.max_y FROM features f JOIN properties p ON p.id = f.properties_id ORDER BY f.id').raw().all(),
        ...d.prepare('SELECT ext_id, time, hex(feature_ids), raw_bytes, raw_sha1 FROM snapshots ORDER BY id').raw().all(),
        ...d.prepare('SELECT feature_id, ruleset, status, rule FROM classifications ORDER BY feature_id').raw().all(),
      ];
      return createHash('sha1').update(JSON.stringify(rows)).digest('hex');
    } finally {
      d.close();
    }
  };
  assert.equal(dump(pooled), dump(serial));

  // the same folder with a truncated file among them (between the 5th and 6th), into another database
  const badId = Number(files[4]!.split('/').pop()!.slice(0, -8)) + 1;
  writeFileSync(join(many, `${badId}.geojson`), readFileSync(files[3]!, 'utf8').slice(0, 5000));
  const before = sha(db);
  const bad = frontline(['import', 'deepstate', many, '--db', db]);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, new RegExp(`${badId}\\.geojson: malformed JSON`));
  assert.equal(sha(db), before);
});

function badImport(name: string, content: string | null, expect: RegExp, args: string[] = []): void {
  const dir = join(tmp, `bad-${name}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '1800000000.geojson');
  if (content !== null) writeFileSync(file, content);
  const before = sha(db);
  const r = frontline(['import', 'deepstate', dir, '--db', db, ...args]);
  assert.notEqual(r.code, 0, `${name}: exit code`);
  assert.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line: ${r.stderr}`);
  assert.match(r.stderr, expect);
  assert.equal(sha(db), before, `${name}: database changed`);
}

test('bad input: one line naming the problem, non-zero exit, database unchanged', () => {
  badImport('malformed', '{"type": "FeatureCollection", "features": [', /malformed JSON/);
  badImport('empty', '', /empty file/);
  badImport('null-geometry', '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":null}]}', /feature 0: null geometry/);
  badImport('crs', '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}', /unsupported CRS .*3857/);
  badImport('projected', '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[3339584.7,6446275.8]}}]}', /not longitude\/latitude/);
  // a sparse file of 3 GiB: refused from its size before anything is read
  const dir = join(tmp, 'bad-huge');
  mkdirSync(dir);
  writeFileSync(join(dir, '1800000000.geojson'), '');
  truncateSync(join(dir, '1800000000.geojson'), 3 * 2 ** 30);
  const before = sha(db);
  const r = frontline(['import', 'deepstate', dir, '--db', db]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /file is 3\.0 GiB; a snapshot file may be at most/);
  assert.equal(sha(db), before);
});

test('bad input: unreachable API, region file without the field, unknown region set, bad dates', () => {
  const before = sha(db);
  const api = frontline(['import', 'deepstate', 'http://127.0.0.1:9/', '--db', db]);
  assert.notEqual(api.code, 0);
  assert.match(api.stderr, /DeepStateMap API: http:\/\/127\.0\.0\.1:9\/api\/history\/public: .* after \d+ attempts/);
  assert.equal(api.stderr.trim().split('\n').filter((l) => !l.startsWith('retrying')).length, 1);
  const reg = frontline(['regions', 'add', 'x', sharedDataFile('regions', 'ukraine-oblasts.geojson'), '--name-field', 'nope', '--db', db]);
  assert.notEqual(reg.code, 0);
  assert.match(reg.stderr, /feature 0 has no "nope" property/);
  const unknown = frontline(['area', '--at', '2024-01-01', '--regions', 'nosuch', '--db', db]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /unknown region set "nosuch"/);
  const date = frontline(['area', '--at', '2024-13-01', '--db', db]);
  assert.match(date.stderr, /--at "2024-13-01" is not a date/);
  const early = frontline(['area', '--at', '2020-01-01', '--db', db]);
  assert.match(early.stderr, /no deepstate snapshot at or before/);
  const order = frontline(['series', '--from', '2025-01-01', '--to', '2024-01-01', '--db', db]);
  assert.match(order.stderr, /--from 2025-01-01 is after --to 2024-01-01/);
  assert.equal(sha(db), before);
});

test('series --csv and --every month pick the last snapshot of each period', () => {
  const r = frontline(['series', '--from', '2022-01-01', '--to', '2025-12-31', '--every', 'month', '--csv', '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'snapshot_time,source,snapshot_id,flag,region,side,km2,share');
  assert.equal(lines.length - 1, 4 * 3 * 3); // 4 months with a snapshot × 3 regions × 3 sides
});
