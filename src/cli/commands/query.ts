import { parseArgs } from 'node:util';
import { UserError } from '../../model/errors.js';
import { areaAt, seriesSnapshots, snapshotAt, type AreaResult, type Every } from '../../analytics/area.js';
import { parseDate } from '../dates.js';
import { km2, pct, table } from '../format.js';
import { progressBar } from '../progress.js';
import { ensureFigures } from '../../analytics/parallel.js';
import { openStore, withQuery, type Io } from '../context.js';
import { changeSeries, frontSeries } from './series-extra.js';

function human(r: AreaResult): string {
  const head = `${r.snapshot.source} snapshot ${r.snapshot.id} (${r.snapshot.time})${r.snapshot.flag ? `\n  FLAGGED ${r.snapshot.flag}` : ''}`;
  const regions = [...new Set(r.rows.map((x) => x.region))];
  const rows = regions.map((name) => {
    const get = (side: string) => r.rows.find((x) => x.region === name && x.side === side)!;
    const ru = get('RU'), ua = get('UA'), c = get('contested');
    return [name, km2(ru.km2), pct(ru.share), km2(ua.km2), pct(ua.share), km2(c.km2), pct(c.share)];
  });
  const t = table(['region', 'RU km²', 'RU %', 'UA km²', 'UA %', 'contested km²', 'contested %'], rows, [false, true, true, true, true, true, true]);
  const p = r.provenance;
  return `${head}\n${t}\nsource ${p.source}, rule set ${p.ruleset}, regions ${p.regions}, borders ${p.borders}; method ${p.method}; areas geodesic on WGS 84`;
}

export async function areaCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, at: { type: 'string' }, regions: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' } } });
  const at = parseDate(values.at, '--at', true);
  return withQuery(values, async ({ store, source, regionSet, figures }) => {
    const r = await areaAt(figures, snapshotAt(store, source, at), regionSet);
    io.out(values.json ? JSON.stringify(r, null, 2) : human(r));
    return 0;
  });
}

const EVERY: Every[] = ['snapshot', 'day', 'week', 'month'];

export async function seriesCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, every: { type: 'string' }, regions: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, csv: { type: 'boolean' }, 'skip-flagged': { type: 'boolean' }, change: { type: 'boolean' }, front: { type: 'boolean' } },
  });
  const from = parseDate(values.from, '--from');
  const to = parseDate(values.to, '--to', true);
  if (from > to) throw new UserError(`--from ${values.from} is after --to ${values.to}`);
  const every = (values.every ?? 'snapshot') as Every;
  if (!EVERY.includes(every)) throw new UserError(`--every ${JSON.stringify(values.every)}: expected one of ${EVERY.join(', ')}`);
  return withQuery(values, async ({ store, source, regionSet, figures }) => {
    const snaps = seriesSnapshots(store, source, from, to, every, values['skip-flagged'] ?? false);
    if (values.change && values.front) throw new UserError('--change and --front are separate series; ask for one at a time');
    if (values.front) {
      io.out(await frontSeries(store, figures, snaps, regionSet, values.json ? 'json' : values.csv ? 'csv' : 'human'));
      return 0;
    }
    await ensureFigures(store, snaps, regionSet, progressBar(`figures ${regionSet}`), figures);
    if (values.change) {
      const before = store.snapshots(source).filter((s) => Date.parse(s.time) < from.getTime() && !(values['skip-flagged'] && s.flag)).pop();
      io.out(await changeSeries(figures, snaps, before, regionSet, values.json ? 'json' : values.csv ? 'csv' : 'human'));
      return 0;
    }
    const out: AreaResult[] = [];
    for (const s of snaps) out.push(await areaAt(figures, s, regionSet));
    if (values.json) io.out(JSON.stringify(out, null, 2));
    else if (values.csv) {
      const lines = ['snapshot_time,source,snapshot_id,flag,region,side,km2,share'];
      for (const r of out) for (const row of r.rows) lines.push([r.snapshot.time, r.snapshot.source, r.snapshot.id, csv(r.snapshot.flag ?? ''), csv(row.region), row.side, row.km2, row.share].join(','));
      io.out(lines.join('\n'));
    } else {
      const regions = [...new Set(out.flatMap((r) => r.rows.map((x) => x.region)))];
      const rows = out.flatMap((r) => regions.map((name) => {
        const get = (side: string) => r.rows.find((x) => x.region === name && x.side === side)!.km2;
        return [r.snapshot.time, r.snapshot.id, name, km2(get('RU')), km2(get('UA')), km2(get('contested')), r.snapshot.flag ? 'FLAGGED' : ''];
      }));
      io.out(table(['snapshot time', 'id', 'region', 'RU km²', 'UA km²', 'contested km²', 'flag'], rows, [false, false, false, true, true, true, false]));
      io.out(`${out.length} snapshots of ${source}; regions ${figures.regionSetId(regionSet)}; areas geodesic on WGS 84`);
    }
    return 0;
  });
}

function csv(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function snapshotsCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, source: { type: 'string' }, flagged: { type: 'boolean' }, json: { type: 'boolean' } } });
  const store = openStore(values.db, { mustExist: true });
  try {
    const snaps = store.snapshots(values.source).filter((s) => !values.flagged || s.flag);
    const rows = snaps.map((s) => ({ source: s.source, id: s.ext_id, time: s.time, flag: s.flag }));
    if (values.json) io.out(JSON.stringify(rows, null, 2));
    else io.out(table(['source', 'id', 'time', 'flag'], rows.map((r) => [r.source, r.id, r.time, r.flag ?? ''])) + `\n${rows.length} snapshots`);
    return 0;
  } finally {
    store.close();
  }
}
