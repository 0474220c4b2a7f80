import { Store, defaultDbPath, type SnapshotRow } from '../store/sqlite.js';
import { pickSource, snapshotInHistory } from '../analytics/area.js';
import { COUNTRIES, FigureService } from '../analytics/figures.js';
import { detectImplausible } from '../analytics/quality.js';
import { progressBar } from './progress.js';
import { ensureFigures } from '../analytics/parallel.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function openStore(db: string | undefined, opts: { mustExist?: boolean } = {}): Store {
  return new Store(defaultDbPath(db), opts);
}

/** Computes the built-in per-country figures for a source's new snapshots and refreshes its quality flags. */
export async function refreshSource(store: Store, source: string, io: Io): Promise<void> {
  const snaps = store.snapshots(source);
  await ensureFigures(store, snaps, COUNTRIES, progressBar(`figures ${source}`));
  const figures = new FigureService(store);
  // all of the source's figures in one query: this runs after every import, even of one snapshot
  const stored = figures.storedOfSource(source, COUNTRIES);
  const values = [];
  for (const s of snaps) {
    const rows = stored.get(s.id) ?? (await figures.figures(s, COUNTRIES)).rows;
    values.push({ id: s.id, time: s.time, value: rows.find((r) => r.region === 'Ukraine')!.RU });
  }
  const flags = detectImplausible(values);
  store.transaction(() => {
    for (const s of snaps) store.setFlag(s.id, flags.get(s.id) ?? null);
  });
  if (flags.size) io.err(`${flags.size} of ${snaps.length} ${source} snapshots flagged as implausible against their neighbours (see frontline snapshots --flagged)`);
}

/** What every query command works with: the store, the source, the region set and the figures. */
export interface Query {
  store: Store;
  source: string;
  regionSet: string;
  figures: FigureService;
  /** The source's snapshot at the end of a date, or a one-line error naming `flag`. */
  snapshot: (at: Date, flag: string) => SnapshotRow;
}

/**
 * Opens the database (which must exist), picks the source (--source, or the only one) and
 * checks the region set (--regions, default the built-in countries) before `fn` runs, so that
 * every command fails the same way on the same bad option; closes the database afterwards.
 */
export async function withQuery<T>(values: { db?: string; source?: string; regions?: string }, fn: (q: Query) => Promise<T>): Promise<T> {
  const store = openStore(values.db, { mustExist: true });
  try {
    const source = pickSource(store, values.source);
    const regionSet = values.regions ?? COUNTRIES;
    const figures = new FigureService(store);
    figures.regionSetId(regionSet); // an unknown set fails here
    return await fn({ store, source, regionSet, figures, snapshot: (at, flag) => snapshotInHistory(store, source, at, flag) });
  } finally {
    store.close();
  }
}
