/**
 * `area` and `series`: figures by side and region, in the JSON shape documented in the README.
 */
import { UserError } from '../model/errors.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import type { FigureService, Provenance } from './figures.js';

export type Side = 'RU' | 'UA' | 'contested';
export const SIDES: Side[] = ['RU', 'UA', 'contested'];

export interface AreaRow {
  region: string;
  side: Side;
  km2: number;
  /** Share of the region's area inside the area of interest. */
  share: number;
}

/** A snapshot as every JSON output names it. */
export interface SnapshotRef { source: string; id: string; time: string; flag: string | null }

export const snapshotRef = (s: SnapshotRow): SnapshotRef => ({ source: s.source, id: s.ext_id, time: s.time, flag: s.flag });

export interface AreaResult {
  snapshot: SnapshotRef;
  provenance: Provenance;
  rows: AreaRow[];
}

export const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

export function pickSource(store: Store, source?: string): string {
  const sources = store.sources();
  if (source) {
    if (!sources.includes(source)) throw new UserError(`no snapshots of source "${source}"; sources in this database: ${sources.join(', ') || 'none'}`);
    return source;
  }
  if (sources.length === 0) throw new UserError('the database holds no snapshots; import a source first (frontline import deepstate …)');
  if (sources.length === 1) return sources[0]!;
  if (sources.includes('deepstate')) return 'deepstate';
  throw new UserError(`several sources (${sources.join(', ')}); choose one with --source`);
}

/** The latest snapshot at or before `at`. */
export function snapshotAt(store: Store, source: string, at: Date, all = store.snapshotTimes(source)): SnapshotRow {
  let found: { id: number; time: string } | undefined;
  for (const s of all) if (Date.parse(s.time) <= at.getTime()) found = s;
  if (!found) {
    const first = all[0]?.time ?? 'never';
    throw new UserError(`no ${source} snapshot at or before ${at.toISOString()}; the history starts ${first}`);
  }
  return store.snapshot(found.id)!;
}

export async function areaAt(figures: FigureService, snapshot: SnapshotRow, regionSet: string): Promise<AreaResult> {
  const f = await figures.figures(snapshot, regionSet);
  const rows: AreaRow[] = [];
  for (const r of f.rows) {
    for (const side of SIDES) {
      rows.push({ region: r.region, side, km2: round(r[side], 1), share: r.areaKm2 > 0 ? round(r[side] / r.areaKm2, 4) : 0 });
    }
  }
  return {
    snapshot: snapshotRef(snapshot),
    provenance: f.provenance,
    rows,
  };
}

export type Every = 'snapshot' | 'day' | 'week' | 'month';

/** Snapshots in [from, to]; with a period, the last snapshot of each period. */
export function seriesSnapshots(store: Store, source: string, from: Date, to: Date, every: Every, skipFlagged: boolean): SnapshotRow[] {
  const all = store.snapshots(source).filter((s) => {
    const t = Date.parse(s.time);
    return t >= from.getTime() && t <= to.getTime() && !(skipFlagged && s.flag);
  });
  if (every === 'snapshot') return all;
  const period = (iso: string): string => {
    if (every === 'day') return iso.slice(0, 10);
    if (every === 'month') return iso.slice(0, 7);
    const d = new Date(iso.slice(0, 10) + 'T00:00:00Z');
    const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000);
    return monday.toISOString().slice(0, 10);
  };
  const last = new Map<string, SnapshotRow>();
  for (const s of all) last.set(period(s.time), s);
  return [...last.values()];
}

/**
 * The snapshot of a date for analyses between dates: like snapshotAt, but a date after the last
 * snapshot's day is an error too, so a typo never silently compares the newest map with itself.
 */
export function snapshotInHistory(store: Store, source: string, at: Date, flag: string): SnapshotRow {
  const all = store.snapshotTimes(source);
  const last = all[all.length - 1];
  if (last && at.getTime() >= Date.parse(last.time.slice(0, 10) + 'T00:00:00Z') + 86_400_000) {
    throw new UserError(`${flag} ${at.toISOString().slice(0, 10)} is after the end of the ${source} history (${last.time}); the history runs ${all[0]!.time} … ${last.time}`);
  }
  try {
    return snapshotAt(store, source, at, all);
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${flag}: ${e.message}`);
    throw e;
  }
}
