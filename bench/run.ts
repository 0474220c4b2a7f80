/**
 * `npm run bench`: the standard workload, frontline against a naive independent reference.
 *
 * (a) frontline, through its CLI, on a fresh temporary database:
 *       import deepstate <history>; regions add oblasts …; series --every snapshot --regions oblasts --json
 * (b) the reference (bench/reference/): export-statuses.ts classifies every feature with
 *     frontline's rule set, then control_area.py reads every snapshot file and computes the same
 *     per-oblast RU series from scratch, snapshot by snapshot, with Shapely (GEOS) and pyproj.
 * (c) one new snapshot: a database holding the history minus its last snapshot (with the oblast
 *     series computed), then `import deepstate <folder with the last file>`, which computes the
 *     new snapshot's figures for the built-in set and for the oblasts (a set in use) and refreshes
 *     the quality flags: timed five times on copies of the same database, median reported.
 *
 * (d) change over time, on the database of (a): `change` between pairs of dates spread over the
 *     history and across all of it, `front` on single dates (each a fresh CLI process, as a user runs them; the first
 *     run of each computes and stores the control geometry of the cells it needs), against
 *     bench/reference/change_front.py computing the same from the snapshot files in the same run.
 * (e) the other benchmarks over the database of (a), each printing JSON: bench/analyses.ts
 *     (change and front inside one process, as the server runs them), bench/places.ts (a
 *     place's history), bench/api.ts (HTTP API latency under load), bench/web.ts (the web app).
 *
 * Reports wall time and peak RSS of every step (through /usr/bin/time -v when present, else by
 * polling /proc/<pid>/status), the time ratio, database size against the raw GeoJSON size, and
 * how far frontline's oblast figures are from the reference's over the whole run. Results also go
 * to bench/results/<timestamp>.json.
 *
 * usage: npm run bench [-- --snapshots N] [--cli tsx|dist] [--keep]
 *   --snapshots N  only the N most recent snapshots (consecutive, so caching behaves as in full)
 *   --cli dist     run dist/cli/main.js (after npm run build) instead of src/ through tsx
 *   --keep         keep the temporary folder (databases, outputs) and print its path
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { deepstateHistoryDir, deepstateHistoryFiles, repoRoot, sharedDataFile } from '../test/support/data.js';
import type { AreaResult } from '../src/analytics/area.js';
import { runCommand } from '../test/support/cli.js';

const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
/** Imports of the one new snapshot, each on a fresh copy of the same database; the median is reported. */
const ONE_SNAPSHOT_RUNS = 5;

interface Step {
  name: string;
  seconds: number;
  peakRssMiB: number | null;
  rssMethod: 'gnu-time' | 'proc-poll' | 'none';
}

/** Runs a command to completion; stdout goes to `stdoutFile` (or is discarded), stderr is kept. */
async function measure(name: string, cmd: string, args: string[], stdoutFile?: string): Promise<Step> {
  const useTime = existsSync(GNU_TIME);
  const timeFile = join(tmpdir(), `frontline-bench-time-${process.pid}-${Date.now()}.txt`);
  const argv = useTime ? ['-v', '-o', timeFile, cmd, ...args] : args;
  const out = stdoutFile ? openSync(stdoutFile, 'w') : 'ignore';
  const started = process.hrtime.bigint();
  process.stderr.write(`bench: ${name} …\n`);
  try {
    const { code, stderr, polledKiB } = await new Promise<{ code: number; stderr: string; polledKiB: number }>((resolve, reject) => {
      const child = spawn(useTime ? GNU_TIME : cmd, argv, { cwd: repoRoot(), stdio: ['ignore', out, 'pipe'] });
      const err: Buffer[] = [];
      child.stderr?.on('data', (b: Buffer) => err.push(b));
      // Without GNU time, poll the child's high-water mark (approximate: misses its last 200 ms).
      let hwm = 0;
      const poll = useTime ? undefined : setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch { /* exited */ }
      }, 200);
      child.on('error', reject);
      child.on('close', (c) => {
        if (poll) clearInterval(poll);
        resolve({ code: c ?? -1, stderr: Buffer.concat(err).toString('utf8'), polledKiB: hwm });
      });
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (code !== 0) throw new Error(`${name}: ${cmd} ${args.join(' ')} exited with ${code}\n${stderr.slice(-4000)}`);
    let peakKiB: number | null = null;
    let rssMethod: Step['rssMethod'] = 'none';
    if (useTime) {
      const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(await readFile(timeFile, 'utf8'));
      if (m) { peakKiB = Number(m[1]); rssMethod = 'gnu-time'; }
    } else if (polledKiB > 0) { peakKiB = polledKiB; rssMethod = 'proc-poll'; }
    const step: Step = { name, seconds, peakRssMiB: peakKiB === null ? null : peakKiB / 1024, rssMethod };
    process.stderr.write(`bench: ${name}: ${seconds.toFixed(1)} s${step.peakRssMiB === null ? '' : `, peak RSS ${step.peakRssMiB.toFixed(0)} MiB`}\n`);
    return step;
  } finally {
    if (typeof out === 'number') closeSync(out);
    await rm(timeFile, { force: true });
  }
}

function cliCommand(kind: string): [string, string[]] {
  if (kind === 'dist') {
    const main = join(repoRoot(), 'dist', 'cli', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} not found; run npm run build first`);
    return [process.execPath, [main]];
  }
  if (kind !== 'tsx') throw new Error(`--cli ${kind}: expected tsx or dist`);
  return [process.execPath, ['--import', 'tsx', join(repoRoot(), 'src', 'cli', 'main.ts')]];
}

/** Size of a SQLite database with its side files, bytes. */
function dbBytes(path: string): number {
  let n = 0;
  for (const suffix of ['', '-journal', '-wal', '-shm']) if (existsSync(path + suffix)) n += statSync(path + suffix).size;
  return n;
}

async function linkFolder(dir: string, files: string[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const f of files) await symlink(f, join(dir, basename(f)));
  return dir;
}

interface Reference {
  versions: Record<string, string>;
  regions: Record<string, { in_ukraine_km2: number; in_russia_km2: number }>;
  snapshots: { id: string; ru_ukraine_km2: number; regions: Record<string, number>; seconds: number }[];
}

/** How far frontline's per-oblast RU is from the reference (both inside the oblast and Ukraine). */
function compare(fl: AreaResult[], ref: Reference): { figures: number; maxRelative: number; at: string; beyondTolerance: number; snapshotsMissing: number } {
  const byId = new Map(fl.map((r) => [r.snapshot.id, r]));
  let figures = 0, maxRelative = 0, at = '', beyond = 0, missing = 0;
  for (const s of ref.snapshots) {
    const r = byId.get(s.id);
    if (!r) { missing++; continue; }
    for (const [name, km2] of Object.entries(s.regions)) {
      const want = km2;
      const got = r.rows.find((x) => x.region === name && x.side === 'RU')?.km2;
      if (got === undefined) { beyond++; continue; }
      figures++;
      const diff = Math.abs(got - want);
      if (want > 50) {
        const rel = diff / want;
        if (rel > maxRelative) { maxRelative = rel; at = `${s.id} ${name}: frontline ${got.toFixed(1)}, reference ${want.toFixed(1)} km²`; }
        if (rel > 0.005) beyond++;
      } else if (diff > 1) beyond++;
    }
  }
  return { figures, maxRelative, at, beyondTolerance: beyond, snapshotsMissing: missing };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { snapshots: { type: 'string' }, cli: { type: 'string', default: 'tsx' }, keep: { type: 'boolean' } } });
  const [node, cliArgs] = cliCommand(values.cli ?? 'tsx');
  const cli = (...args: string[]): [string, string[]] => [node, [...cliArgs, ...args]];

  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found; install python3-shapely python3-pyproj (.ci/apt-packages)`);
  const reference = join(repoRoot(), 'bench', 'reference', 'control_area.py');
  const versions = await runCommand(PYTHON, [reference, '--versions']);
  if (versions.code !== 0) throw new Error(`${reference} --versions failed: ${versions.stderr.trim()}`);
  const refVersions = JSON.parse(versions.stdout) as Record<string, string>;

  let files = await deepstateHistoryFiles();
  const full = values.snapshots === undefined;
  if (!full) {
    const n = Number(values.snapshots);
    if (!Number.isInteger(n) || n < 2) throw new Error(`--snapshots ${values.snapshots}: expected an integer ≥ 2`);
    files = files.slice(-n);
  }
  const rawBytes = files.reduce((a, f) => a + statSync(f).size, 0);
  const oblasts = sharedDataFile('regions', 'ukraine-oblasts.geojson');
  const borders = join(repoRoot(), 'data', 'borders', 'ukraine-russia.geojson');
  const tmp = await mkdtemp(join(tmpdir(), 'frontline-bench-'));
  const steps: Step[] = [];
  const step = async (...a: Parameters<typeof measure>): Promise<Step> => {
    const s = await measure(...a);
    steps.push(s);
    return s;
  };
  try {
    const history = full ? await deepstateHistoryDir() : await linkFolder(join(tmp, 'history'), files);
    const first = new Date(Number(basename(files[0]!, '.geojson')) * 1000);
    const last = new Date(Number(basename(files.at(-1)!, '.geojson')) * 1000);
    const range = ['--from', '2000-01-01', '--to', '2100-01-01'];

    // (a) frontline
    const db = join(tmp, 'bench.db');
    const aImport = await step('frontline import deepstate', ...cli('import', 'deepstate', history, '--db', db));
    const dbAfterImport = dbBytes(db);
    const aRegions = await step('frontline regions add oblasts', ...cli('regions', 'add', 'oblasts', oblasts, '--name-field', 'name:en', '--db', db));
    const seriesOut = join(tmp, 'series.json');
    const aSeries = await step('frontline series --regions oblasts', ...cli('series', ...range, '--every', 'snapshot', '--regions', 'oblasts', '--json', '--db', db), seriesOut);
    const dbAfterSeries = dbBytes(db);
    const series = JSON.parse(await readFile(seriesOut, 'utf8')) as AreaResult[];
    if (series.length !== files.length) throw new Error(`frontline series returned ${series.length} snapshots for ${files.length} imported`);

    // (b) reference
    const statuses = join(tmp, 'statuses.json');
    const bStatuses = await step('reference export-statuses (frontline rules)', node, ['--import', 'tsx', join(repoRoot(), 'bench', 'reference', 'export-statuses.ts'), history, 'all', statuses]);
    const refOut = join(tmp, 'reference.json');
    const bPython = await step('reference control_area.py', PYTHON, [reference, '--dir', history, '--ids', 'all', '--statuses', statuses, '--borders', borders, '--regions', oblasts, '--name-field', 'name:en', '--out', refOut]);
    const ref = JSON.parse(await readFile(refOut, 'utf8')) as Reference;
    const agreement = compare(series, ref);

    // (c) one new snapshot
    const dbC = join(tmp, 'incremental.db');
    const cBase = await step('(c) frontline import history minus last', ...cli('import', 'deepstate', await linkFolder(join(tmp, 'all-but-last'), files.slice(0, -1)), '--db', dbC));
    await step('(c) frontline regions add oblasts', ...cli('regions', 'add', 'oblasts', oblasts, '--name-field', 'name:en', '--db', dbC));
    const cSeries = await step('(c) frontline series --regions oblasts, history minus last', ...cli('series', ...range, '--every', 'snapshot', '--regions', 'oblasts', '--json', '--db', dbC));
    // one import is a second on a noisy machine: the median of several, each on a copy of the same database
    const dbCBase = join(tmp, 'incremental-base.db');
    await copyFile(dbC, dbCBase);
    const lastFolder = await linkFolder(join(tmp, 'last'), files.slice(-1));
    const cImports: Step[] = [];
    for (let i = 0; i < ONE_SNAPSHOT_RUNS; i++) {
      await copyFile(dbCBase, dbC);
      cImports.push(await step(`(c) frontline import the last snapshot (run ${i + 1} of ${ONE_SNAPSHOT_RUNS})`, ...cli('import', 'deepstate', lastFolder, '--db', dbC)));
    }
    const cImport = [...cImports].sort((a, b) => a.seconds - b.seconds)[ONE_SNAPSHOT_RUNS >> 1]!;
    const at = last.toISOString();
    const cFigures = await step('(c) frontline series --regions oblasts, last snapshot (reads the figures the import stored)', ...cli('series', '--from', at, '--to', at, '--regions', 'oblasts', '--json', '--db', dbC));

    // (d) change over time
    const snapList = JSON.parse((await runCommand(node, [...cliArgs, 'snapshots', '--json', '--db', db])).stdout) as { id: string; time: string }[];
    const pick = (k: number, n: number): { id: string; time: string } => snapList[Math.min(snapList.length - 1, Math.round((k * (snapList.length - 1)) / n))]!;
    // six pairs of up to 20 months across the history, and the whole history: its widest change
    const pairs = [...Array.from({ length: 6 }, (_, k) => [pick(k, 7), pick(k + 1 + (k % 3), 7)] as const), [pick(0, 7), pick(7, 7)] as const].filter(([a, b]) => a.time < b.time);
    const frontDates = Array.from({ length: 6 }, (_, k) => pick(k, 5));
    const changeRuns: { from: string; to: string; cold: number; warm: number }[] = [];
    for (const [a, b] of pairs) {
      const args = cli('change', '--from', a.time, '--to', b.time, '--json', '--db', db);
      const cold = await step(`(d) frontline change ${a.time.slice(0, 10)} → ${b.time.slice(0, 10)} (first)`, ...args);
      const warm = await step(`(d) frontline change ${a.time.slice(0, 10)} → ${b.time.slice(0, 10)} (again)`, ...args);
      changeRuns.push({ from: a.time, to: b.time, cold: cold.seconds, warm: warm.seconds });
    }
    const frontRuns: { at: string; cold: number; warm: number }[] = [];
    for (const d of frontDates) {
      const args = cli('front', '--at', d.time, '--json', '--db', db);
      const cold = await step(`(d) frontline front ${d.time.slice(0, 10)} (first)`, ...args);
      const warm = await step(`(d) frontline front ${d.time.slice(0, 10)} (again)`, ...args);
      frontRuns.push({ at: d.time, cold: cold.seconds, warm: warm.seconds });
    }
    const cfStatuses = join(tmp, 'cf-statuses.json');
    const cfIds = [...new Set([...pairs.flat().map((x) => x.id), ...frontDates.map((x) => x.id)])];
    await writeFile(cfStatuses, JSON.stringify((await import('./reference/export-statuses.js')).exportStatuses(history, cfIds)));
    const cfOut = join(tmp, 'cf.json');
    const dRef = await step('(d) reference change_front.py (same pairs and dates)', PYTHON, [join(repoRoot(), 'bench', 'reference', 'change_front.py'), '--dir', history, '--statuses', cfStatuses, '--borders', borders,
      '--pairs', pairs.map(([a, b]) => `${a.id}:${b.id}`).join(','), '--fronts', frontDates.map((x) => x.id).join(','), '--out', cfOut]);
    const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
    const changeOverTime = {
      pairs: changeRuns,
      fronts: frontRuns,
      change: { coldMedian: median(changeRuns.map((r) => r.cold)), coldMax: Math.max(...changeRuns.map((r) => r.cold)), warmMedian: median(changeRuns.map((r) => r.warm)), warmMax: Math.max(...changeRuns.map((r) => r.warm)) },
      front: { coldMedian: median(frontRuns.map((r) => r.cold)), coldMax: Math.max(...frontRuns.map((r) => r.cold)), warmMedian: median(frontRuns.map((r) => r.warm)), warmMax: Math.max(...frontRuns.map((r) => r.warm)) },
      referenceSeconds: dRef.seconds,
      referencePerQuery: dRef.seconds / (pairs.length + frontDates.length),
    };

    // (e) the other benchmarks, each on the database of (a)
    const extra: Record<string, unknown> = {};
    for (const name of ['analyses', 'places', 'api', 'web']) {
      const script = join(repoRoot(), 'bench', `${name}.ts`);
      if (!existsSync(script)) continue;
      const out = join(tmp, `${name}.json`);
      const args = ['--import', 'tsx', script, '--db', db, ...(name === 'api' ? ['--cli', values.cli ?? 'tsx'] : [])];
      try {
        await step(`(e) bench/${name}.ts`, node, args, out);
        extra[name] = JSON.parse(await readFile(out, 'utf8')) as unknown;
      } catch (e) {
        extra[name] = { error: (e as Error).message.split('\n')[0] };
      }
    }

    const frontlineSeconds = aImport.seconds + aRegions.seconds + aSeries.seconds;
    const referenceSeconds = bStatuses.seconds + bPython.seconds;
    const peak = (...s: Step[]): number | null => (s.every((x) => x.peakRssMiB !== null) ? Math.max(...s.map((x) => x.peakRssMiB!)) : null);
    const mib = (x: number | null): string => (x === null ? 'n/a' : `${x.toFixed(0)} MiB`);
    const result = {
      date: new Date().toISOString(),
      snapshots: files.length,
      full,
      history: { first: first.toISOString(), last: at },
      machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, cli: values.cli },
      reference: refVersions,
      steps,
      frontline: { seconds: frontlineSeconds, peakRssMiB: peak(aImport, aRegions, aSeries) },
      referenceRun: { seconds: referenceSeconds, pythonSeconds: bPython.seconds, classifySeconds: bStatuses.seconds, peakRssMiB: peak(bStatuses, bPython), pythonPeakRssMiB: bPython.peakRssMiB },
      ratio: referenceSeconds / frontlineSeconds,
      storage: { rawBytes, dbBytesAfterImport: dbAfterImport, dbBytesAfterSeries: dbAfterSeries, percentAfterImport: (100 * dbAfterImport) / rawBytes, percentAfterSeries: (100 * dbAfterSeries) / rawBytes },
      oneNewSnapshot: { importSeconds: cImport.seconds, importRunsSeconds: cImports.map((r) => r.seconds), importPeakRssMiB: cImport.peakRssMiB, readOblastFiguresSeconds: cFigures.seconds, baseImportSeconds: cBase.seconds, baseSeriesSeconds: cSeries.seconds },
      agreement,
      changeOverTime,
      extra,
    };

    const rows: [string, string, string][] = [
      ['(a) frontline: import + regions add + series (oblasts)', `${frontlineSeconds.toFixed(1)} s`, mib(result.frontline.peakRssMiB)],
      ...[aImport, aRegions, aSeries].map((s): [string, string, string] => [`    ${s.name}`, `${s.seconds.toFixed(1)} s`, mib(s.peakRssMiB)]),
      ['(b) reference: classify + Shapely/pyproj series', `${referenceSeconds.toFixed(1)} s`, mib(result.referenceRun.peakRssMiB)],
      ...[bStatuses, bPython].map((s): [string, string, string] => [`    ${s.name}`, `${s.seconds.toFixed(1)} s`, mib(s.peakRssMiB)]),
      [`(c) one new snapshot: import with its figures (countries, oblasts), median of ${ONE_SNAPSHOT_RUNS}`, `${cImport.seconds.toFixed(2)} s`, mib(cImport.peakRssMiB)],
      ['    then reading its oblast figures (series, 1 snapshot)', `${cFigures.seconds.toFixed(2)} s`, mib(cFigures.peakRssMiB)],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    const lines = [
      `frontline bench: ${files.length} DeepStateMap snapshots (${first.toISOString().slice(0, 10)} to ${at.slice(0, 10)})${full ? '' : ' [subset]'}; ${result.machine.cores} × ${result.machine.cpu}; node ${process.version}; reference Shapely ${refVersions.shapely} / GEOS ${refVersions.geos} / pyproj ${refVersions.pyproj}`,
      `${'step'.padEnd(w)}  ${'wall'.padStart(9)}  ${'peak RSS'.padStart(9)}`,
      ...rows.map(([a, b, c]) => `${a.padEnd(w)}  ${b.padStart(9)}  ${c.padStart(9)}`),
      `reference / frontline wall time: ${result.ratio.toFixed(2)}×`,
      `database ${(dbAfterImport / 2 ** 20).toFixed(1)} MiB after import, ${(dbAfterSeries / 2 ** 20).toFixed(1)} MiB with oblast figures; raw GeoJSON ${(rawBytes / 2 ** 20).toFixed(1)} MiB → ${result.storage.percentAfterImport.toFixed(1)}% / ${result.storage.percentAfterSeries.toFixed(1)}% of raw`,
      `agreement with the reference: ${agreement.figures} oblast figures, max relative difference ${(100 * agreement.maxRelative).toFixed(4)}%${agreement.at ? ` (${agreement.at})` : ''}, ${agreement.beyondTolerance} beyond 0.5% / 1 km², ${agreement.snapshotsMissing} snapshots missing`,
      `(d) change between two dates (CLI, wall): first ${changeOverTime.change.coldMedian.toFixed(2)} s median (max ${changeOverTime.change.coldMax.toFixed(2)} s), then ${changeOverTime.change.warmMedian.toFixed(2)} s median (max ${changeOverTime.change.warmMax.toFixed(2)} s); front on one date: first ${changeOverTime.front.coldMedian.toFixed(2)} s (max ${changeOverTime.front.coldMax.toFixed(2)} s), then ${changeOverTime.front.warmMedian.toFixed(2)} s median (max ${changeOverTime.front.warmMax.toFixed(2)} s); reference ${changeOverTime.referencePerQuery.toFixed(2)} s per query (${changeOverTime.referenceSeconds.toFixed(1)} s for ${pairs.length} changes + ${frontDates.length} fronts)`,
      ...Object.entries(extra).map(([k, v]) => `(e) ${k}: ${JSON.stringify(v).slice(0, 600)}`),
      `RSS measured with ${[...new Set(steps.map((s) => s.rssMethod))].join(', ')}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    const resultsDir = join(repoRoot(), 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = join(resultsDir, `${result.date.replace(/[:.]/g, '-')}${full ? '' : `-subset${files.length}`}.json`);
    await writeFile(file, JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(`results written to ${file}\n`);
    return 0;
  } finally {
    if (values.keep) process.stderr.write(`bench: kept ${tmp}\n`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
