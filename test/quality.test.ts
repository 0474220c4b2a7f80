/**
 * Data-quality flags end to end, on real daily occupied-area files: one day's file loses most of
 * its area (as 2022 DeepStateMap snapshots lost the pre-2022 areas); that day is flagged, the flag
 * shows beside its figures, and --skip-flagged leaves it out of a series.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dailyFilesDir } from './support/data.js';
import { frontline } from './support/cli.js';

let tmp: string;
let db: string;
let brokenDay: string;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'frontline-quality-'));
  db = join(tmp, 'q.db');
  const dir = join(tmp, 'daily');
  mkdirSync(dir);
  const src = await dailyFilesDir();
  const days = readdirSync(src).filter((f) => f.endsWith('.geojson')).sort().slice(0, 9);
  for (const f of days) copyFileSync(join(src, f), join(dir, f));
  // the 5th day keeps only its smaller polygons: the largest part of the occupied area is missing
  const name = days[4]!;
  brokenDay = /(\d{8})\.geojson$/.exec(name)![1]!;
  const doc = JSON.parse(readFileSync(join(src, name), 'utf8')) as { features: { geometry: { type: string; coordinates: number[][][][] } }[] };
  const geom = doc.features[0]!.geometry;
  assert.equal(geom.type, 'MultiPolygon');
  const size = (p: number[][][]): number => p[0]!.length;
  const largest = geom.coordinates.reduce((best, p, i, all) => (size(p) > size(all[best]!) ? i : best), 0);
  geom.coordinates = geom.coordinates.filter((_, i) => i !== largest);
  writeFileSync(join(dir, name), JSON.stringify(doc));
  const r = frontline(['import', 'daily', dir, '--db', db]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /1 of 9 deepstate-daily snapshots flagged as implausible/);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('the broken day is flagged, and only it', () => {
  const rows = JSON.parse(frontline(['snapshots', '--flagged', '--json', '--db', db]).stdout) as { id: string; flag: string }[];
  assert.deepEqual(rows.map((r) => r.id), [brokenDay]);
  assert.match(rows[0]!.flag, /^implausible: RU-held area in Ukraine \d+ km² is -\d+% against the median/);
});

test('the flag shows beside its figures, in JSON and in tables', () => {
  const at = `${brokenDay.slice(0, 4)}-${brokenDay.slice(4, 6)}-${brokenDay.slice(6, 8)}`;
  const json = JSON.parse(frontline(['area', '--at', at, '--json', '--db', db]).stdout) as { snapshot: { id: string; flag: string | null } };
  assert.equal(json.snapshot.id, brokenDay);
  assert.match(json.snapshot.flag ?? '', /^implausible/);
  assert.match(frontline(['area', '--at', at, '--db', db]).stdout, /FLAGGED implausible/);
});

test('--skip-flagged leaves it out of a series; without it, it is there with its flag', () => {
  const all = JSON.parse(frontline(['series', '--from', '2024-01-01', '--to', '2026-12-31', '--json', '--db', db]).stdout) as { snapshot: { id: string; flag: string | null } }[];
  const kept = JSON.parse(frontline(['series', '--from', '2024-01-01', '--to', '2026-12-31', '--skip-flagged', '--json', '--db', db]).stdout) as { snapshot: { id: string } }[];
  assert.equal(all.length, 9);
  assert.equal(kept.length, 8);
  assert.ok(!kept.some((s) => s.snapshot.id === brokenDay));
  assert.ok(all.find((s) => s.snapshot.id === brokenDay)!.snapshot.flag);
});
