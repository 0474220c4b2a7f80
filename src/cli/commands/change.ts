/**
 * `frontline change`: what each side gained and lost between two dates. The GeoJSON writer and
 * the gazetteer load only when --geojson or --places asks for them.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../../model/errors.js';
import { ChangeService, onlyRegion, type ChangeResult } from '../../analytics/change.js';
import { parseDate } from '../dates.js';
import { grouped, km2, snapLine, table } from '../format.js';
import { withQuery, type Io } from '../context.js';
import type { PlaceChange } from '../../analytics/places.js';
import type { SnapshotRow, Store } from '../../store/sqlite.js';

function signed(x: number): string {
  const s = km2(x);
  return x >= 0.05 ? `+${s}` : s;
}

function humanChange(r: ChangeResult): string {
  const rows = r.rows
    .filter((x) => x.gained_km2 || x.lost_km2 || x.region !== 'unassigned')
    .map((x) => [x.region, x.side, km2(x.from_km2), km2(x.to_km2), km2(x.gained_km2), km2(x.lost_km2), signed(x.net_km2)]);
  return [
    snapLine('from', r.from),
    snapLine('to  ', r.to),
    table(['region', 'side', 'from km²', 'to km²', 'gained km²', 'lost km²', 'net km²'], rows, [false, false, true, true, true, true, true]),
    `regions ${r.provenance.regions}; rule set ${r.provenance.ruleset}; method ${r.provenance.method}; areas geodesic on WGS 84`,
  ].join('\n');
}

export async function changeCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, regions: { type: 'string' }, region: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, geojson: { type: 'string' }, places: { type: 'boolean' } },
  });
  const from = parseDate(values.from, '--from', true);
  const to = parseDate(values.to, '--to', true);
  if (from > to) throw new UserError(`--from ${values.from} is after --to ${values.to}`);
  if (values.region && !values.regions) throw new UserError('--region needs --regions SET (the set the region belongs to)');
  return withQuery(values, async ({ store, regionSet, figures, snapshot }) => {
    const a = snapshot(from, '--from'), b = snapshot(to, '--to');
    const service = new ChangeService(store, figures);
    const result = await service.change(a, b, regionSet);
    result.rows = onlyRegion(result.rows, values.region, regionSet);
    if (values.geojson) {
      const { changeGeoJSON } = await import('../../analytics/change-geojson.js');
      const fc = await changeGeoJSON(store, service, a, b);
      writeFileSync(values.geojson, JSON.stringify(fc));
      io.err(`${fc.features.length} changed pieces written to ${values.geojson}`);
    }
    const out: ChangeResult & { places?: Awaited<ReturnType<typeof placesChanged>> } = result;
    if (values.places) out.places = await placesChanged(store, a, b);
    if (values.json) io.out(JSON.stringify(out, null, 2));
    else {
      io.out(humanChange(result));
      if (out.places) io.out(humanPlaces(out.places));
    }
    return 0;
  });
}

/** The places that changed hands between the two snapshots, and how many people lived in them. */
async function placesChanged(store: Store, a: SnapshotRow, b: SnapshotRow): Promise<{ count: number; population: number; credit: string; list: PlaceChange[] }> {
  const [{ places }, { placeCredits }] = [await import('../../analytics/gazetteer-link.js'), await import('../../analytics/places.js')];
  const list = await places(store).placesChanged(store, a, b);
  list.sort((x, y) => (y.population ?? 0) - (x.population ?? 0));
  return { count: list.length, population: list.reduce((t, p) => t + (p.population ?? 0), 0), credit: placeCredits(store), list };
}

function humanPlaces(p: { count: number; population: number; credit: string; list: PlaceChange[] }): string {
  const list = p.list;
  return `${list.length} places changed hands (${grouped(p.population)} people by the gazetteer's population; ${p.credit})\n` +
    table(['place', 'country', 'population', 'from', 'to'], list.slice(0, 30).map((x) => [x.name, x.country, x.population == null ? '?' : grouped(x.population), x.from, x.to]), [false, false, true, false, false]) +
    (list.length > 30 ? `\n… and ${list.length - 30} more (--json lists all)` : '');
}
