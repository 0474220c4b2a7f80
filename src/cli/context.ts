import { Store, defaultDbPath } from '../store/sqlite.js';
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
  const values = [];
  for (const s of snaps) {
    const f = await figures.figures(s, COUNTRIES);
    values.push({ id: s.id, time: s.time, value: f.rows.find((r) => r.region === 'Ukraine')!.RU });
  }
  const flags = detectImplausible(values);
  store.transaction(() => {
    for (const s of snaps) store.setFlag(s.id, flags.get(s.id) ?? null);
  });
  if (flags.size) io.err(`${flags.size} of ${snaps.length} ${source} snapshots flagged as implausible against their neighbours (see frontline snapshots --flagged)`);
}
