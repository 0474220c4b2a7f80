/**
 * Locates the real data that tests and benchmarks run against (see ../shared/data/README.md).
 *
 * The shared data lives beside the repository, read-only. Archives are unpacked once into
 * `<repo>/.cache/<name>` (git-ignored) and reused by later runs. Missing data is an error,
 * never a reason to skip: a test that silently skips proves nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Number of snapshots in deepstate/history-2022-04-to-2025-08.tar.xz. */
export const DEEPSTATE_HISTORY_FILES = 1359;

/** Absolute path of the repository root (this file is test/support/data.ts). */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Absolute path of the shared data directory, `../shared/data` from the repository root. */
export function sharedDataDir(): string {
  const dir = resolve(repoRoot(), '..', 'shared', 'data');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(
      `shared test data not found at ${dir}: it must sit beside the repository as ../shared/data ` +
        '(see its README.md); tests that need real data fail without it',
    );
  }
  return dir;
}

/** A file under the shared data directory; throws a clear error if it is missing. */
export function sharedDataFile(...parts: string[]): string {
  const path = join(sharedDataDir(), ...parts);
  if (!existsSync(path)) throw new Error(`shared test data file missing: ${path}`);
  return path;
}

async function countFiles(dir: string, suffix: string): Promise<number> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(suffix)).length;
  } catch {
    return 0;
  }
}

export interface ExtractOptions {
  /** The .tar.xz (or any archive `tar -xf` understands) to unpack. */
  archive: string;
  /** Name of the cache directory under `<repo>/.cache`. */
  cacheName: string;
  /** The directory inside the archive that is wanted, e.g. "geojsons". */
  subdir: string;
  /** True when an already unpacked `subdir` is complete, so extraction can be skipped. */
  isComplete: (dir: string) => Promise<boolean>;
}

/**
 * Unpacks `archive` into `<repo>/.cache/<cacheName>` once and returns the path of `subdir`
 * in it. Extraction goes to a temporary directory first and is renamed into place, so an
 * interrupted run or a concurrent one never leaves a half-filled directory that looks done.
 */
export async function extractOnce(options: ExtractOptions): Promise<string> {
  const cacheDir = join(repoRoot(), '.cache', options.cacheName);
  const target = join(cacheDir, options.subdir);
  if (await options.isComplete(target)) return target;
  if (!existsSync(options.archive)) throw new Error(`archive not found: ${options.archive}`);

  await mkdir(cacheDir, { recursive: true });
  const tmp = await mkdtemp(join(cacheDir, '.extract-'));
  try {
    try {
      await execFileAsync('tar', ['-xJf', options.archive, '-C', tmp], { maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`cannot unpack ${options.archive} with tar -xJf: ${why}`);
    }
    const unpacked = join(tmp, options.subdir);
    if (!existsSync(unpacked)) throw new Error(`${options.archive} has no ${options.subdir}/ directory`);
    if (!(await options.isComplete(unpacked))) {
      throw new Error(`${options.archive}: ${options.subdir}/ is incomplete after unpacking`);
    }
    if (await options.isComplete(target)) return target; // another process finished first
    await rm(target, { recursive: true, force: true });
    await rename(unpacked, target);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return target;
}

let historyDir: Promise<string> | undefined;

/**
 * The directory holding the DeepStateMap history snapshots as `{id}.geojson` files.
 *
 * `FRONTLINE_DEEPSTATE_DIR`, if set, names that directory (or a directory with a `geojsons/`
 * subdirectory). Otherwise the shared archive is unpacked once into `<repo>/.cache/deepstate`.
 */
export function deepstateHistoryDir(): Promise<string> {
  historyDir ??= locateHistory();
  return historyDir;
}

async function locateHistory(): Promise<string> {
  const fromEnv = process.env.FRONTLINE_DEEPSTATE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = resolve(fromEnv);
    for (const candidate of [join(dir, 'geojsons'), dir]) {
      if ((await countFiles(candidate, '.geojson')) > 0) return candidate;
    }
    throw new Error(`FRONTLINE_DEEPSTATE_DIR=${fromEnv}: no .geojson files there or in its geojsons/ subdirectory`);
  }
  const archive = sharedDataFile('deepstate', 'history-2022-04-to-2025-08.tar.xz');
  return extractOnce({
    archive,
    cacheName: 'deepstate',
    subdir: 'geojsons',
    isComplete: async (dir) => (await countFiles(dir, '.geojson')) >= DEEPSTATE_HISTORY_FILES,
  });
}

/** The history snapshot files, full paths, oldest first (ids are Unix seconds of equal length). */
export async function deepstateHistoryFiles(): Promise<string[]> {
  const dir = await deepstateHistoryDir();
  const names = (await readdir(dir)).filter((f) => f.endsWith('.geojson'));
  names.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || (a < b ? -1 : 1));
  return names.map((f) => join(dir, f));
}

let dailyDir: Promise<string> | undefined;

/** The daily occupied-area files (`deepstatemap_data_YYYYMMDD.geojson`), unpacked once into `<repo>/.cache/daily`. */
export function dailyFilesDir(): Promise<string> {
  dailyDir ??= extractOnce({
    archive: sharedDataFile('deepstate-daily', 'occupied-daily-2024-07-to-2026-08.tar.xz'),
    cacheName: 'daily',
    subdir: 'data',
    isComplete: async (dir) => (await countFiles(dir, '.geojson')) >= 769,
  });
  return dailyDir;
}
