/**
 * `series --change` (net change per period, from the stored figures) and `series --front`
 * (front-line length over time).
 */
import { areaAt, round, snapshotRef, type AreaResult, type Side, type SnapshotRef } from '../../analytics/area.js';
import type { FigureService } from '../../analytics/figures.js';
import { FrontService, type FrontResult } from '../../analytics/front.js';
import type { SnapshotRow, Store } from '../../store/sqlite.js';
import { km2, table } from '../format.js';
import { progressBar } from '../progress.js';

export interface NetChange {
  snapshot: SnapshotRef;
  /** The snapshot the change is measured from: the previous element, or the last one before the range. */
  previous: SnapshotRef | null;
  rows: { region: string; side: Side; net_km2: number }[];
}

type Format = 'json' | 'csv' | 'human';

export async function changeSeries(figures: FigureService, snaps: SnapshotRow[], before: SnapshotRow | undefined, regionSet: string, format: Format): Promise<string> {
  const out: NetChange[] = [];
  let prev: AreaResult | undefined = before ? await areaAt(figures, before, regionSet) : undefined;
  let prevRow = before;
  for (const s of snaps) {
    const cur = await areaAt(figures, s, regionSet);
    out.push({
      snapshot: snapshotRef(s),
      previous: prevRow ? snapshotRef(prevRow) : null,
      rows: cur.rows.map((r) => {
        const p = prev?.rows.find((x) => x.region === r.region && x.side === r.side);
        return { region: r.region, side: r.side, net_km2: p ? round(r.km2 - p.km2, 1) : 0 };
      }),
    });
    prev = cur;
    prevRow = s;
  }
  if (format === 'json') return JSON.stringify(out, null, 2);
  if (format === 'csv') {
    const lines = ['snapshot_time,snapshot_id,previous_time,region,side,net_km2'];
    for (const c of out) for (const r of c.rows) lines.push([c.snapshot.time, c.snapshot.id, c.previous?.time ?? '', JSON.stringify(r.region), r.side, r.net_km2].join(','));
    return lines.join('\n');
  }
  const regions = [...new Set(out.flatMap((c) => c.rows.map((r) => r.region)))];
  const rows = out.flatMap((c) => regions.map((name) => {
    const get = (side: string): number => c.rows.find((r) => r.region === name && r.side === side)!.net_km2;
    return [c.previous?.time ?? '(start)', c.snapshot.time, name, km2(get('RU')), km2(get('UA')), km2(get('contested'))];
  }));
  return table(['from', 'to', 'region', 'RU net km²', 'UA net km²', 'contested net km²'], rows, [false, false, false, true, true, true]);
}

export async function frontSeries(store: Store, figures: FigureService, snaps: SnapshotRow[], regionSet: string, format: Format): Promise<string> {
  const service = new FrontService(store, figures);
  const bar = progressBar('front');
  const out: FrontResult[] = [];
  for (const s of snaps) {
    out.push(await service.front(s, regionSet));
    bar(out.length, snaps.length);
  }
  if (format === 'json') return JSON.stringify(out, null, 2);
  if (format === 'csv') {
    const lines = ['snapshot_time,snapshot_id,region,length_km'];
    for (const f of out) {
      lines.push([f.snapshot.time, f.snapshot.id, 'total', f.length_km].join(','));
      for (const r of f.by_region) lines.push([f.snapshot.time, f.snapshot.id, JSON.stringify(r.region), r.length_km].join(','));
    }
    return lines.join('\n');
  }
  return table(['snapshot time', 'id', 'front km'], out.map((f) => [f.snapshot.time, f.snapshot.id, km2(f.length_km)]), [false, false, true]) + `\nmethod: ${out[0]?.provenance.front ?? ''}`;
}
