/**
 * Cross-check of frontline's figures against an independent computation.
 *
 * 24 real DeepStateMap snapshots spread over 2022–2025 are imported through the CLI and their
 * per-oblast series is asked for; bench/reference/control_area.py computes the same figures
 * naively, snapshot by snapshot, with Shapely (GEOS) and pyproj's geodesic areas, sharing only
 * the classification of features with frontline (bench/reference/export-statuses.ts).
 *
 * What is compared, for every snapshot:
 * - per oblast, frontline's RU km² with the reference's RU km² inside both the oblast and Ukraine.
 *   The oblast file and the borders dataset come from different sources, so most border oblasts
 *   reach a little beyond Ukraine's border (Luhansk about 240 km²); frontline counts a region in
 *   one country only, so that overhang is in neither figure;
 * - the RU km² inside Ukraine as a whole (frontline's built-in "countries" set, row Ukraine).
 * Tolerance: 0.5% of the reference where it exceeds 50 km², else 1 km².
 *
 * Needs /usr/bin/python3 with python3-shapely and python3-pyproj (.ci/apt-packages); without
 * them the test fails, it never skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { deepstateHistoryFiles, repoRoot, sharedDataFile } from './support/data.js';
import { exportStatuses } from '../bench/reference/export-statuses.js';
import type { AreaResult } from '../src/analytics/area.js';
import { runCommand } from './support/cli.js';

const PYTHON = '/usr/bin/python3';
const SNAPSHOTS = 24;
const REL_TOLERANCE = 0.005;
const ABS_TOLERANCE_KM2 = 1;
const SMALL_KM2 = 50;

const APT_HINT =
  'the cross-check needs /usr/bin/python3 with Shapely and pyproj: run the apt step of .ci/run ' +
  '(apt-get install -y $(cat .ci/apt-packages), i.e. python3-shapely python3-pyproj)';

async function frontline(args: string[]): Promise<string> {
  const r = await runCommand(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
  assert.equal(r.code, 0, `frontline ${args.join(' ')} exited with ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** `n` files spread evenly over the sorted list, first and last included. */
function spreadEvenly<T>(items: T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]!);
  return out;
}

interface Reference {
  versions: Record<string, string>;
  regions: Record<string, { in_ukraine_km2: number; in_russia_km2: number }>;
  snapshots: { id: string; ru_ukraine_km2: number; regions: Record<string, number> }[];
}

const ruOf = (r: AreaResult, region: string): number | undefined => r.rows.find((x) => x.region === region && x.side === 'RU')?.km2;

void test('RU area per oblast agrees with an independent GEOS computation on 24 snapshots, 2022–2025', { timeout: 20 * 60_000 }, async (t) => {
  // The Python side first: a missing dependency is a setup error, reported as such.
  const reference = join(repoRoot(), 'bench', 'reference', 'control_area.py');
  assert.ok(existsSync(PYTHON), `${PYTHON} not found; ${APT_HINT}`);
  const versions = await runCommand(PYTHON, [reference, '--versions']);
  assert.equal(versions.code, 0, `${versions.stderr.trim()}\n${APT_HINT}`);
  t.diagnostic(`reference: ${versions.stdout.trim()}`);

  const all = await deepstateHistoryFiles();
  const chosen = spreadEvenly(all, SNAPSHOTS);
  const ids = chosen.map((f) => basename(f, '.geojson'));
  const dates = ids.map((id) => new Date(Number(id) * 1000).toISOString());
  assert.ok(dates.some((d) => d.startsWith('2022-')), `no 2022 snapshot among ${dates.join(', ')}`);
  assert.ok(dates.some((d) => d >= '2024-08' && d < '2025'), `no August–December 2024 snapshot among ${dates.join(', ')}`);
  assert.ok(dates.some((d) => d.startsWith('2025-')), `no 2025 snapshot among ${dates.join(', ')}`);

  const oblasts = sharedDataFile('regions', 'ukraine-oblasts.geojson');
  const borders = join(repoRoot(), 'data', 'borders', 'ukraine-russia.geojson');
  const tmp = await mkdtemp(join(tmpdir(), 'frontline-crosscheck-'));
  try {
    const snaps = join(tmp, 'snapshots');
    await mkdir(snaps);
    for (const f of chosen) await symlink(f, join(snaps, basename(f)));
    const db = join(tmp, 'crosscheck.db');

    const frontlineSide = async (): Promise<{ oblasts: AreaResult[]; countries: AreaResult[] }> => {
      await frontline(['import', 'deepstate', snaps, '--db', db]);
      await frontline(['regions', 'add', 'oblasts', oblasts, '--name-field', 'name:en', '--db', db]);
      const range = ['--from', '2022-01-01', '--to', '2025-12-31', '--json', '--db', db];
      const byOblast = JSON.parse(await frontline(['series', ...range, '--regions', 'oblasts'])) as AreaResult[];
      const byCountry = JSON.parse(await frontline(['series', ...range])) as AreaResult[];
      return { oblasts: byOblast, countries: byCountry };
    };
    const referenceSide = async (): Promise<Reference> => {
      const statuses = join(tmp, 'statuses.json');
      await writeFile(statuses, JSON.stringify(exportStatuses(snaps, ids)));
      const out = join(tmp, 'reference.json');
      const r = await runCommand(PYTHON, [reference, '--dir', snaps, '--ids', ids.join(','), '--statuses', statuses, '--borders', borders, '--regions', oblasts, '--name-field', 'name:en', '--out', out]);
      assert.equal(r.code, 0, `control_area.py exited with ${r.code}:\n${r.stderr}`);
      return JSON.parse(await readFile(out, 'utf8')) as Reference;
    };
    const [fl, ref] = await Promise.all([frontlineSide(), referenceSide()]);

    assert.deepEqual(fl.oblasts.map((r) => r.snapshot.id), ids, 'frontline series covers exactly the imported snapshots');
    assert.deepEqual(ref.snapshots.map((s) => s.id), ids);
    const failures: string[] = [];
    let compared = 0;
    const check = (what: string, got: number | undefined, want: number): number => {
      if (got === undefined) {
        failures.push(`${what}: missing in frontline's output`);
        return Infinity;
      }
      compared++;
      const diff = Math.abs(got - want);
      const ok = want > SMALL_KM2 ? diff <= REL_TOLERANCE * want : diff <= ABS_TOLERANCE_KM2;
      if (!ok) failures.push(`${what}: frontline ${got.toFixed(1)} km², reference ${want.toFixed(1)} km² (${want > 0 ? ((100 * diff) / want).toFixed(3) : '∞'}%)`);
      return want > SMALL_KM2 ? diff / want : 0;
    };
    for (let i = 0; i < ids.length; i++) {
      const r = ref.snapshots[i]!, o = fl.oblasts[i]!, c = fl.countries[i]!;
      const label = `${ids[i]} (${dates[i]!.slice(0, 10)})`;
      let worst = 0, worstName = '';
      for (const [name, km2] of Object.entries(r.regions)) {
        const want = km2;
        const rel = check(`${label} ${name}`, ruOf(o, name), want);
        if (rel > worst) { worst = rel; worstName = name; }
      }
      const total = check(`${label} Ukraine total`, ruOf(c, 'Ukraine'), r.ru_ukraine_km2);
      t.diagnostic(`${label}: RU in Ukraine ${r.ru_ukraine_km2.toFixed(1)} km² (Δ ${(100 * total).toFixed(4)}%); worst oblast ${worstName || '-'} Δ ${(100 * worst).toFixed(4)}%`);
    }
    assert.ok(compared >= ids.length * 26, `only ${compared} figures compared`);
    assert.deepEqual(failures, [], `${failures.length} figures disagree with the reference beyond ${100 * REL_TOLERANCE}% / ${ABS_TOLERANCE_KM2} km²`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
