/**
 * `peak`: the most ground a side held in a region within a window, and how much of it it still
 * holds at a later date. Reported twice: ground held, and ground held or contested (an advance
 * often ends in grey zone before it is lost).
 *
 * Built on the stored per-snapshot figures, so it is exactly consistent with `area` and `series`.
 */
import { UserError } from '../model/errors.js';
import type { SnapshotRow } from '../store/sqlite.js';
import { areaAt, round, snapshotRef, type AreaResult, type Side, type SnapshotRef } from './area.js';
import type { FigureService, Provenance } from './figures.js';

export interface PeakFigures {
  peak_km2: number;
  peak_snapshot: SnapshotRef;
  at_km2: number;
  at_snapshot: SnapshotRef;
  /** at_km2 as a share of peak_km2, in percent (null when the side held nothing in the window). */
  retained_pct: number | null;
}

export interface PeakResult {
  region: string;
  side: 'RU' | 'UA';
  window: { from: string; to: string; snapshots: number };
  held: PeakFigures;
  held_or_contested: PeakFigures;
  provenance: Provenance;
}


/**
 * `window` are the snapshots from D1 to D2 (at least one); `at` the snapshot of D3. `region` is
 * matched exactly, else case-insensitively or by a unique prefix.
 */
export async function peak(figures: FigureService, window: SnapshotRow[], at: SnapshotRow, regionSet: string, region: string, side: 'RU' | 'UA'): Promise<PeakResult> {
  if (!window.length) throw new UserError('no snapshots in the window from --from to --to');
  const results: AreaResult[] = [];
  for (const s of window) results.push(await areaAt(figures, s, regionSet));
  const atResult = await areaAt(figures, at, regionSet);
  const name = resolveRegion(atResult, region, regionSet);
  const km2 = (r: AreaResult, s: Side): number => r.rows.find((x) => x.region === name && x.side === s)?.km2 ?? 0;
  const variant = (value: (r: AreaResult) => number): PeakFigures => {
    let best = results[0]!;
    for (const r of results) if (value(r) > value(best)) best = r;
    const p = value(best), a = value(atResult);
    return {
      peak_km2: round(p, 1),
      peak_snapshot: best.snapshot,
      at_km2: round(a, 1),
      at_snapshot: atResult.snapshot,
      retained_pct: p > 0 ? round((100 * a) / p, 1) : null,
    };
  };
  return {
    region: name,
    side,
    window: { from: snapshotRef(window[0]!).time, to: snapshotRef(window[window.length - 1]!).time, snapshots: window.length },
    held: variant((r) => km2(r, side)),
    held_or_contested: variant((r) => km2(r, side) + km2(r, 'contested')),
    provenance: atResult.provenance,
  };
}

function resolveRegion(r: AreaResult, region: string, setName: string): string {
  const names = [...new Set(r.rows.map((x) => x.region))].filter((n) => n !== 'unassigned');
  if (names.includes(region)) return region;
  const lower = region.toLowerCase();
  const ci = names.filter((n) => n.toLowerCase() === lower);
  if (ci.length === 1) return ci[0]!;
  const prefix = names.filter((n) => n.toLowerCase().startsWith(lower));
  if (prefix.length === 1) return prefix[0]!;
  if (prefix.length > 1) throw new UserError(`region "${region}" is ambiguous in set ${setName}: ${prefix.join(', ')}`);
  throw new UserError(`no region "${region}" in set ${setName}; regions: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`);
}
