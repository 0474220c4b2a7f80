/**
 * `frontline peak`: the most ground a side held in a region within a window, and how much of it
 * it still holds.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../../model/errors.js';
import { seriesSnapshots } from '../../analytics/area.js';
import { peak, type PeakResult } from '../../analytics/peak.js';
import { ensureFigures } from '../../analytics/parallel.js';
import { parseDate } from '../dates.js';
import { km2, table } from '../format.js';
import { progressBar } from '../progress.js';
import { withQuery, type Io } from '../context.js';

function humanPeak(r: PeakResult): string {
  const line = (label: string, p: PeakResult['held']): string[] => [label, km2(p.peak_km2), p.peak_snapshot.time, km2(p.at_km2), p.at_snapshot.time, p.retained_pct === null ? '–' : `${p.retained_pct.toFixed(1)}%`];
  return [
    `${r.side} in ${r.region}, ${r.window.from} … ${r.window.to} (${r.window.snapshots} snapshots)`,
    table(['ground', 'peak km²', 'peak snapshot', 'at km²', 'at snapshot', 'retained'], [line('held', r.held), line('held or contested', r.held_or_contested)], [false, true, false, true, false, true]),
    `regions ${r.provenance.regions}; rule set ${r.provenance.ruleset}; method ${r.provenance.method}`,
  ].join('\n');
}

export async function peakCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, side: { type: 'string' }, regions: { type: 'string' }, region: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, at: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' } },
  });
  const side = values.side;
  if (side !== 'UA' && side !== 'RU') throw new UserError(`--side ${JSON.stringify(side ?? '')}: expected UA or RU`);
  const region = values.region;
  if (!region) throw new UserError('--region NAME is required (with --regions SET)');
  const from = parseDate(values.from, '--from');
  const to = parseDate(values.to, '--to', true);
  if (from > to) throw new UserError(`--from ${values.from} is after --to ${values.to}`);
  const at = values.at ? parseDate(values.at, '--at', true) : to;
  if (at < from) throw new UserError(`--at ${values.at} is before --from ${values.from}`);
  return withQuery(values, async ({ store, source, regionSet, figures, snapshot }) => {
    snapshot(to, '--to');
    const atSnap = snapshot(at, '--at');
    const window = seriesSnapshots(store, source, from, to, 'snapshot', false);
    await ensureFigures(store, window, regionSet, progressBar(`figures ${regionSet}`), figures);
    const r = await peak(figures, window, atSnap, regionSet, region, side);
    io.out(values.json ? JSON.stringify(r, null, 2) : humanPeak(r));
    return 0;
  });
}
