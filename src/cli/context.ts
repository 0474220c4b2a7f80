import { Store, defaultDbPath, type SnapshotRow } from '../store/sqlite.js';
import { pickSource, snapshotInHistory } from '../analytics/area.js';
import { COUNTRIES, FigureService } from '../analytics/figures.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function openStore(db: string | undefined, opts: { mustExist?: boolean } = {}): Store {
  return new Store(defaultDbPath(db), opts);
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
