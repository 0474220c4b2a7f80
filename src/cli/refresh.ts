/**
 * What an import leaves behind besides the snapshots: their figures and quality flags. Apart from
 * cli/context.ts so that a query does not load the worker pool and the quality checks.
 */
import type { SnapshotRow, Store } from '../store/sqlite.js';
import { COUNTRIES, FigureService } from '../analytics/figures.js';
import { WINDOW_DAYS, detectImplausible } from '../analytics/quality.js';
import { ensureFigures } from '../analytics/parallel.js';
import { progressBar } from './progress.js';
import type { Io } from './context.js';

/**
 * Computes the built-in per-country figures for a source's new snapshots and refreshes its
 * quality flags. The new snapshots' figures are also computed for every region set already in
 * use for the source (a series over it computed some), so that a sync leaves the figures people
 * ask for up to date.
 */
export async function refreshSource(store: Store, source: string, io: Io): Promise<void> {
  const snaps = store.snapshots(source);
  const figures = new FigureService(store);
  const known = figures.storedAmong(snaps, COUNTRIES);
  const fresh = snaps.filter((s) => !known.has(s.id));
  await ensureFigures(store, fresh, COUNTRIES, progressBar(`figures ${source}`), figures);
  for (const set of store.regionSetNames()) {
    if (fresh.length && figures.inUse(source, set)) await ensureFigures(store, fresh, set, progressBar(`figures ${source} by ${set}`), figures);
  }
  // a snapshot's flag depends on the snapshots within WINDOW_DAYS of it: only flags that near a
  // new snapshot can change, and they need the figures of snapshots twice that near
  const window = WINDOW_DAYS * 86_400_000;
  const times = fresh.map((s) => Date.parse(s.time));
  const first = Math.min(...times), last = Math.max(...times);
  const near = (s: SnapshotRow, reach: number): boolean => Date.parse(s.time) >= first - reach && Date.parse(s.time) <= last + reach;
  const values = [];
  for (const s of snaps.filter((x) => near(x, 2 * window))) {
    const rows = figures.stored(s, COUNTRIES) ?? (await figures.figures(s, COUNTRIES)).rows;
    values.push({ id: s.id, time: s.time, value: rows.find((r) => r.region === 'Ukraine')!.RU });
  }
  const flags = detectImplausible(values);
  const refreshed = snaps.filter((x) => near(x, window));
  store.transaction(() => {
    for (const s of refreshed) store.setFlag(s.id, flags.get(s.id) ?? null);
  });
  const flagged = snaps.filter((s) => (near(s, window) ? flags.has(s.id) : s.flag !== null)).length;
  if (flagged) io.err(`${flagged} of ${snaps.length} ${source} snapshots flagged as implausible against their neighbours (see frontline snapshots --flagged)`);
}
