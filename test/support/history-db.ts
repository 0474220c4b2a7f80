/**
 * One database of the whole 2022–2025 DeepStateMap history, shared by every test that reads it.
 *
 * Importing 1,359 snapshots and computing their oblast figures takes minutes, so it is done once
 * and the result is kept in `<repo>/.cache/test-db/`, keyed by a hash of everything that decides
 * its contents: the code that imports, stores and classifies, the schema, the rule sets, the
 * bundled data, the lockfile, and the control model's method version (which is bumped whenever
 * what the figures mean changes). A change to any of them builds a new one. It is built through the CLI, exactly as a user would, into a
 * temporary file renamed into place, so a crashed build never leaves a database that looks done.
 *
 * It holds the figures of the region sets below for every snapshot and every place's control
 * history. Tests that write get their own copy (`historyDbCopy`); tests that only read may share
 * the file.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deepstateHistoryDir, repoRoot, sharedDataFile } from './data.js';
import { frontlineAsync } from './cli.js';

export interface HistoryDb {
  /** Path of the shared database: open it read-only, or copy it (historyDbCopy). */
  path: string;
  /** What `frontline import deepstate` printed while building it. */
  importOutput: string;
}

/** Region sets added to the shared database, with their figures for every snapshot. */
export const HISTORY_REGION_SETS = {
  oblasts: { file: ['regions', 'ukraine-oblasts.geojson'], nameField: 'name:en' },
  border: { file: ['regions', 'russia-border-oblasts.geojson'], nameField: 'name' },
} as const;

function filesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else if (!name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** A hash of every input that decides the database's contents. */
function contentKey(): string {
  const root = repoRoot();
  const h = createHash('sha1');
  const inputs = [
    // what is imported and how it is stored and classified…
    ...['sources', 'rules'].flatMap((d) => filesUnder(join(root, 'src', d))),
    join(root, 'src', 'store', 'migrations.ts'),
    ...filesUnder(join(root, 'rules')),
    ...filesUnder(join(root, 'data')),
    join(root, 'package-lock.json'),
    join(root, 'test', 'support', 'history-db.ts'),
  ];
  // …and the control model's version, which every change to what the figures mean must bump
  const method = /CONTROL_METHOD_VERSION = '([^']+)'/.exec(readFileSync(join(root, 'src', 'control', 'engine.ts'), 'utf8'))?.[1];
  h.update(`method ${method ?? '?'}\0`);
  for (const f of inputs) {
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

let built: Promise<HistoryDb> | undefined;

/** The shared whole-history database, built on first use. */
export function historyDb(): Promise<HistoryDb> {
  built ??= build();
  return built;
}

/** A private copy of the shared database, for a test that writes; the caller removes it. */
export async function historyDbCopy(dir: string): Promise<string> {
  const { path } = await historyDb();
  const copy = join(dir, 'history.db');
  copyFileSync(path, copy);
  return copy;
}

async function run(args: string[]): Promise<string> {
  const r = await frontlineAsync(args);
  if (r.code !== 0) throw new Error(`frontline ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

async function build(): Promise<HistoryDb> {
  const dir = join(repoRoot(), '.cache', 'test-db');
  const key = contentKey();
  const path = join(dir, `history-${key}.db`);
  const log = `${path}.import.txt`;
  if (existsSync(path) && existsSync(log)) return { path, importOutput: readFileSync(log, 'utf8') };

  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir)) if (!old.startsWith(`history-${key}`)) rmSync(join(dir, old), { force: true });
  const tmp = join(tmpdir(), `frontline-history-${key}-${process.pid}.db`);
  rmSync(tmp, { force: true });
  try {
    const importOutput = await run(['import', 'deepstate', await deepstateHistoryDir(), '--db', tmp]);
    for (const [name, set] of Object.entries(HISTORY_REGION_SETS)) {
      await run(['regions', 'add', name, sharedDataFile(...set.file), '--name-field', set.nameField, '--db', tmp]);
      // computes and stores the set's figures for every snapshot
      await run(['series', '--from', '2022-01-01', '--to', '2025-12-31', '--regions', name, '--json', '--db', tmp]);
    }
    // every place's control history, as `frontline serve` prepares it before it listens
    await run(['places', '--at', '2025-08-03', '--limit', '1', '--json', '--db', tmp]);
    copyFileSync(tmp, `${path}.part`);
    renameSync(`${path}.part`, path);
    writeFileSync(log, importOutput);
    return { path, importOutput };
  } finally {
    rmSync(tmp, { force: true });
  }
}
