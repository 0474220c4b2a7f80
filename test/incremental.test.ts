/**
 * One new snapshot on top of a stored history, as `frontline sync` adds them: the import cuts
 * only the new features (the others' cells are keyed from their stored indexes), refreshes every
 * region set in use, and leaves the same figures as importing everything at once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { deepstateHistoryFiles, sharedDataFile } from './support/data.js';
import { frontline } from './support/cli.js';

let tmp: string;
let files: string[];
const SETS = [['oblasts', 'ukraine-oblasts.geojson', 'name:en'], ['border', 'russia-border-oblasts.geojson', 'name']] as const;

function folder(name: string, paths: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const p of paths) symlinkSync(p, join(dir, basename(p)));
  return dir;
}

function ok(args: string[]): string {
  const r = frontline(args);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The stored figures of the snapshot with this source id, by region set. */
function figuresOf(db: string, extId: string): Map<string, string> {
  const d = new Database(db, { readonly: true });
  try {
    const rows = d.prepare('SELECT f.region_set AS set_name, f.data AS data FROM figures f JOIN snapshots s ON s.id = f.snapshot_id WHERE s.ext_id = ?').all(extId) as { set_name: string; data: Buffer }[];
    return new Map(rows.map((r) => [r.set_name, r.data.toString('utf8')]));
  } finally {
    d.close();
  }
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'frontline-incremental-'));
  // the first days of the Kursk incursion: ground changes every day on both sides of the border
  const all = await deepstateHistoryFiles();
  const end = Date.parse('2024-08-20T00:00:00Z') / 1000;
  files = all.filter((p) => Number(basename(p, '.geojson')) <= end).slice(-12);
});

after(() => rmSync(tmp, { recursive: true, force: true }));

test('importing one new snapshot cuts only its new features and refreshes every set in use, with the figures of a whole import', () => {
  const last = basename(files.at(-1)!, '.geojson');
  const whole = join(tmp, 'whole.db'), step = join(tmp, 'step.db');

  ok(['import', 'deepstate', folder('all', files), '--db', whole]);
  ok(['import', 'deepstate', folder('before', files.slice(0, -1)), '--db', step]);
  for (const db of [whole, step]) {
    for (const [name, file, field] of SETS) {
      ok(['regions', 'add', name, sharedDataFile('regions', file), '--name-field', field, '--db', db]);
      ok(['series', '--from', '2024-01-01', '--to', '2024-12-31', '--regions', name, '--json', '--db', db]);
    }
  }
  const count = (sql: string): number => {
    const d = new Database(step, { readonly: true });
    try {
      return (d.prepare(sql).get() as { n: number }).n;
    } finally {
      d.close();
    }
  };
  const TERRITORY = "SELECT count(*) AS n FROM features f JOIN classifications c ON c.feature_id = f.id WHERE c.status IN ('occupied', 'dismissed', 'contested')";
  const indexesBefore = count('SELECT count(*) AS n FROM feature_cells');
  const lastFeatureBefore = count('SELECT max(id) AS n FROM features');
  assert.match(ok(['import', 'deepstate', folder('new', files.slice(-1)), '--db', step]), /1 snapshots added/);

  // the import itself computed the new snapshot's figures for the built-in set and both sets in use
  const stepFigures = figuresOf(step, last), wholeFigures = figuresOf(whole, last);
  assert.deepEqual([...stepFigures.keys()].sort(), ['border', 'countries', 'oblasts']);
  for (const set of ['countries', 'oblasts', 'border']) assert.equal(stepFigures.get(set), wholeFigures.get(set), `${set} figures of ${last}`);

  // every territorial feature has its index; the import added those of the new ones
  assert.equal(count(`${TERRITORY} AND NOT EXISTS (SELECT 1 FROM feature_cells i WHERE i.feature_id = f.id)`), 0, 'territorial features without an index');
  const fresh = count(`${TERRITORY} AND f.id > ${lastFeatureBefore}`);
  assert.ok(fresh > 0, 'the new snapshot brings new territorial features');
  assert.equal(count('SELECT count(*) AS n FROM feature_cells'), indexesBefore + fresh);
});
