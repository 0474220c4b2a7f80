import { Store, defaultDbPath } from '../store/sqlite.js';
import { FigureService } from '../analytics/figures.js';
import { detectImplausible } from '../analytics/quality.js';
import { COUNTRIES } from '../analytics/figures.js';
import { progressBar } from './progress.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export function openStore(db: string | undefined, opts: { mustExist?: boolean } = {}): Store {
  return new Store(defaultDbPath(db), opts);
}

/** Computes the built-in per-country figures for a source's new snapshots and refreshes its quality flags. */
export async function refreshSource(store: Store, source: string, io: Io): Promise<void> {
  const figures = new FigureService(store);
  const snaps = store.snapshots(source);
  const bar = progressBar(`figures ${source}`);
  const values = [];
  for (let i = 0; i < snaps.length; i++) {
    bar(i, snaps.length);
    const f = await figures.figures(snaps[i]!, COUNTRIES);
    const ukr = f.rows.find((r) => r.region === 'Ukraine')!;
    values.push({ id: snaps[i]!.id, time: snaps[i]!.time, value: ukr.RU });
    figures.forget(snaps[i]!);
  }
  bar(snaps.length, snaps.length);
  const flags = detectImplausible(values);
  store.transaction(() => {
    for (const s of snaps) store.setFlag(s.id, flags.get(s.id) ?? null);
  });
  if (flags.size) io.err(`${flags.size} of ${snaps.length} ${source} snapshots flagged as implausible against their neighbours (see frontline snapshots --flagged)`);
}
