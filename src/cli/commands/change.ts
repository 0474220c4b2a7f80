/**
 * Commands about change over time and what each side holds: change, front, peak, ledger.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../../model/errors.js';
import { seriesSnapshots } from '../../analytics/area.js';
import { ChangeService, onlyRegion, type ChangeResult } from '../../analytics/change.js';
import { changeGeoJSON } from '../../analytics/change-geojson.js';
import { FrontService, type FrontResult } from '../../analytics/front.js';
import { frontGeoJSON } from '../../analytics/front-geojson.js';
import { peak, type PeakResult } from '../../analytics/peak.js';
import { ledger, type LedgerResult } from '../../analytics/ledger.js';
import { ensureFigures } from '../../analytics/parallel.js';
import { parseDate } from '../dates.js';
import { grouped, km2, table } from '../format.js';
import { progressBar } from '../progress.js';
import { withQuery, type Io } from '../context.js';
import { places } from '../../analytics/gazetteer-link.js';
import { placeCredits, type PlaceChange } from '../../analytics/places.js';
import type { SnapshotRow, Store } from '../../store/sqlite.js';

const snapLine = (label: string, s: { source: string; id: string; time: string; flag: string | null }): string =>
  `${label} ${s.source} snapshot ${s.id} (${s.time})${s.flag ? ` FLAGGED: ${s.flag}` : ''}`;

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

function humanFront(r: FrontResult): string {
  return [
    snapLine('at', r.snapshot),
    `front line: ${km2(r.length_km)} km`,
    table(['region', 'length km'], r.by_region.filter((x) => x.length_km > 0).map((x) => [x.region, km2(x.length_km)]), [false, true]),
    `method: ${r.provenance.front}; regions ${r.provenance.regions}`,
  ].join('\n');
}

export async function frontCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, at: { type: 'string' }, regions: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, geojson: { type: 'string' } } });
  const at = parseDate(values.at, '--at', true);
  return withQuery(values, async ({ store, regionSet, figures, snapshot }) => {
    const snap = snapshot(at, '--at');
    const service = new FrontService(store, figures);
    const r = await service.front(snap, regionSet);
    if (values.geojson) {
      writeFileSync(values.geojson, JSON.stringify(await frontGeoJSON(service, snap, r)));
      io.err(`front line written to ${values.geojson}`);
    }
    io.out(values.json ? JSON.stringify(r, null, 2) : humanFront(r));
    return 0;
  });
}

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

function humanLedger(r: LedgerResult): string {
  const out = [snapLine('at', r.snapshot)];
  for (const h of r.holdings) {
    out.push(`\n${h.side} holds ${km2(h.km2)} km² of ${h.in_country} (${km2(h.contested_km2)} km² more contested there)`);
    if (h.regions.length) out.push(table(['region', 'km²'], h.regions.map((x) => [x.region, km2(x.km2)]), [false, true]));
    out.push(`${h.places.count} places (${grouped(h.places.population)} people by GeoNames population)${h.places.largest.length ? ', largest: ' + h.places.largest.map((p) => `${p.name} (${p.population == null ? '?' : grouped(p.population)})`).join(', ') : ''}`);
  }
  if (r.buffer) {
    const b = r.buffer;
    out.push(`\nbuffer strip ${b.km} km on each side of the front: ${km2(b.km2)} km² on land (RU side ${km2(b.by_side.RU)}, UA side ${km2(b.by_side.UA)}, contested ${km2(b.by_side.contested)})`);
    out.push(`${b.places.count} places inside (${grouped(b.places.population)} people)${b.places.largest.length ? ', largest: ' + b.places.largest.map((p) => `${p.name} (${p.population == null ? '?' : grouped(p.population)})`).join(', ') : ''}`);
  }
  out.push(`\nregions ${r.provenance.regions}; rule set ${r.provenance.ruleset}; method ${r.provenance.method}; places: GeoNames (CC BY 4.0)`);
  return out.join('\n');
}

export async function ledgerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, at: { type: 'string' }, regions: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, 'buffer-km': { type: 'string' } } });
  const at = parseDate(values.at, '--at', true);
  let bufferKm: number | undefined;
  if (values['buffer-km'] !== undefined) {
    bufferKm = Number(values['buffer-km']);
    if (!Number.isFinite(bufferKm) || bufferKm <= 0 || bufferKm > 200) throw new UserError(`--buffer-km ${JSON.stringify(values['buffer-km'])}: expected a distance in km between 0 and 200`);
  }
  return withQuery(values, async ({ store, regionSet, figures, snapshot }) => {
    const snap = snapshot(at, '--at');
    const r = await ledger(store, figures, snap, regionSet, bufferKm);
    io.out(values.json ? JSON.stringify(r, null, 2) : humanLedger(r));
    return 0;
  });
}
