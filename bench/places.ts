/**
 * Benchmark: a place's full control history, and the precomputation that makes it fast.
 *
 *   node --import tsx bench/places.ts --db PATH [--places 50] [--reference-snapshots 12]
 *
 * Works on a copy of the database (PATH is not written). Prints JSON:
 * - precompute: time to compute and store every place's history over every snapshot (from
 *   scratch: the stored histories are dropped first), and the bytes the histories take;
 * - history_ms: `placeHistory` for ~50 places spread over the population range, in one warm
 *   process after a warm-up (median, p95, max), and the first query of a cold process
 *   (open the database, check the histories are current, read one row) for a few places;
 * - nearest_place_ms: `nearestPlace` for 2,000 points spread over lon 33–40°E, lat 46–51°N;
 * - reference: the naive alternative, point-in-polygon with Shapely over every snapshot of one
 *   place (bench/reference/place_status.py), timed on a sample of snapshots spread over the
 *   history and scaled to all of them; loading the border file once is reported apart.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Store } from '../src/store/sqlite.js';
import { allPlaces } from '../src/store/places.js';
import { ensurePlaceHistories, nearestPlace, placeHistory } from '../src/analytics/places.js';
import { exportStatuses } from './reference/export-statuses.js';
import { deepstateHistoryDir } from '../test/support/data.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SOURCE = 'deepstate';

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number): number => Math.round(x * 1000) / 1000;

/** Child mode: the first history query of a fresh process. */
async function cold(db: string, placeId: number): Promise<void> {
  const t = performance.now();
  const store = new Store(db, { mustExist: true });
  const place = allPlaces(store).find((p) => p.id === placeId)!;
  const h = await placeHistory(store, SOURCE, place);
  const elapsed = performance.now() - t;
  store.close();
  process.stdout.write(JSON.stringify({ ms: elapsed, intervals: h.history.length }) + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { db: { type: 'string' }, places: { type: 'string' }, 'reference-snapshots': { type: 'string' }, 'cold-child': { type: 'string' } } });
  if (!values.db) throw new Error('usage: node --import tsx bench/places.ts --db PATH [--places 50] [--reference-snapshots 12]');
  if (values['cold-child']) return cold(values.db, Number(values['cold-child']));
  const nPlaces = Number(values.places ?? 50);
  const nRef = Number(values['reference-snapshots'] ?? 12);

  const dir = mkdtempSync(join(tmpdir(), 'frontline-bench-places-'));
  const db = join(dir, 'bench.db');
  copyFileSync(values.db, db);
  try {
    // 1. precompute from scratch
    let store = new Store(db);
    store.db.prepare("DELETE FROM meta WHERE key LIKE 'place-histories:%'").run();
    store.db.prepare('DELETE FROM place_histories').run();
    store.close();
    store = new Store(db);
    const t0 = performance.now();
    await ensurePlaceHistories(store, SOURCE);
    const precomputeS = (performance.now() - t0) / 1000;
    const runsBytes = (store.db.prepare('SELECT sum(length(runs)) AS b, count(*) AS n FROM place_histories WHERE source = ?').get(SOURCE) as { b: number; n: number });
    const snapshots = store.snapshots(SOURCE);
    const places = allPlaces(store);
    store.close();
    store = new Store(db);
    const dbBytes = statSync(db).size;

    // 2. warm: places spread over the population range
    const picked = Array.from({ length: nPlaces }, (_, i) => places[Math.round((i * (places.length - 1)) / (nPlaces - 1))]!);
    for (const p of picked.slice(0, 5)) await placeHistory(store, SOURCE, p);
    const warm: number[] = [];
    for (const p of picked) {
      const t = performance.now();
      await placeHistory(store, SOURCE, p);
      warm.push(performance.now() - t);
    }
    // nearestPlace, called once per changed piece by `change`: points spread over the front's area
    const nearest: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const lon = 33 + ((i * 7919) % 1000) / 1000 * 7, lat = 46 + ((i * 104729) % 1000) / 1000 * 5;
      const t = performance.now();
      nearestPlace(store, lon, lat);
      nearest.push(performance.now() - t);
    }
    store.close();

    // 3. cold: a fresh process per query
    const coldMs: number[] = [];
    for (const p of picked.filter((_, i) => i % 10 === 0)) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'places.ts'), '--db', db, '--cold-child', String(p.id)], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cold child failed: ${r.stderr}`);
      coldMs.push((JSON.parse(r.stdout) as { ms: number }).ms);
    }

    // 4. reference: Shapely over a sample of snapshots for one place (the largest changing one)
    const sample = Array.from({ length: nRef }, (_, i) => snapshots[Math.round((i * (snapshots.length - 1)) / (nRef - 1))]!);
    const folder = await deepstateHistoryDir(); // the unpacked history, wherever the run keeps it
    const ids = sample.map((s) => s.ext_id);
    writeFileSync(join(dir, 'statuses.json'), JSON.stringify(exportStatuses(folder, ids)));
    const place = picked[0]!;
    writeFileSync(join(dir, 'point.json'), JSON.stringify([[place.lon, place.lat]]));
    const t1 = performance.now();
    const r = spawnSync('/usr/bin/python3', [
      join(root, 'bench', 'reference', 'place_status.py'), '--dir', folder, '--ids', ids.join(','), '--statuses', join(dir, 'statuses.json'),
      '--borders', join(root, 'data', 'borders', 'ukraine-russia.geojson'), '--places', join(dir, 'point.json'), '--out', join(dir, 'ref.json'),
    ], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`place_status.py failed: ${r.stderr}`);
    const refWall = (performance.now() - t1) / 1000;
    const ref = JSON.parse(readFileSync(join(dir, 'ref.json'), 'utf8')) as { snapshots: Record<string, { seconds: number }> };
    const perSnapshot = Object.values(ref.snapshots).map((s) => s.seconds);
    const perSnapshotMean = perSnapshot.reduce((a, b) => a + b, 0) / perSnapshot.length;

    process.stdout.write(JSON.stringify({
      database: { snapshots: snapshots.length, places: places.length, bytes: dbBytes },
      precompute: { seconds: ms(precomputeS), histories: runsBytes.n, runs_bytes: runsBytes.b },
      history_ms: {
        places: picked.length,
        warm: { median: ms(quantile(warm, 0.5)), p95: ms(quantile(warm, 0.95)), max: ms(Math.max(...warm)) },
        cold_first_query: { runs: coldMs.length, median: ms(quantile(coldMs, 0.5)), max: ms(Math.max(...coldMs)) },
      },
      nearest_place_ms: { calls: nearest.length, median: ms(quantile(nearest, 0.5)), p95: ms(quantile(nearest, 0.95)) },
      reference: {
        method: 'Shapely point-in-polygon per snapshot, read from the files (bench/reference/place_status.py)',
        place: place.name,
        sampled_snapshots: perSnapshot.length,
        seconds_per_snapshot: ms(perSnapshotMean),
        estimated_full_history_seconds: Math.round(perSnapshotMean * snapshots.length),
        wall_seconds_incl_border_load: ms(refWall),
      },
    }, null, 2) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
