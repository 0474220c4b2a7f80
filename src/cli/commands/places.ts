import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { UserError } from '../../model/errors.js';
import { pickSource, SIDES, type Side } from '../../analytics/area.js';
import { ensureGazetteer, findPlace, placeHistory, placesAt, type PlaceHistory, type PlacesAtResult } from '../../analytics/places.js';
import { GEONAMES, GEONAMES_CREDIT, parsePlaceList } from '../../places/gazetteer.js';
import { gazetteers, putGazetteer } from '../../store/places.js';
import { readSnapshotFile } from '../../sources/files.js';
import { parseDate } from '../dates.js';
import { grouped, table } from '../format.js';
import { progressBar } from '../progress.js';
import { openStore, withQuery, type Io } from '../context.js';

const population = (n: number | null): string => (n === null ? '' : grouped(n));

/** "LON,LAT" → a point, or a one-line error. */
function parsePoint(value: string, flag: string): { lon: number; lat: number } {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  const lon = Number(m?.[1]), lat = Number(m?.[2]);
  if (!m || Math.abs(lon) > 180 || Math.abs(lat) > 90) throw new UserError(`${flag} ${JSON.stringify(value)}: expected LON,LAT in degrees, e.g. ${flag} 37.80,48.99`);
  return { lon, lat };
}

function humanHistory(h: PlaceHistory, source: string): string {
  const head = `${h.name} (${h.country}${h.population !== null ? `, pop. ${population(h.population)}` : ''}; ${h.lon}, ${h.lat}): control in ${source} snapshots`;
  const rows = h.history.map((i) => {
    const end = i.to ? Date.parse(i.to) : undefined;
    const days = end !== undefined ? ((end - Date.parse(i.from)) / 86_400_000).toFixed(1) : '';
    return [i.side, i.from, i.to ?? '(still)', days];
  });
  return `${head}\n${table(['side', 'from', 'to', 'days'], rows, [false, false, false, true])}\nfrom: first snapshot in that state; to: first snapshot no longer in it. Places: ${h.credit}`;
}

export async function placeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, country: { type: 'string' }, near: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' } } });
  const name = positionals.join(' ').trim();
  if (!name) throw new UserError('usage: frontline place NAME [--country CC] [--near LON,LAT] [--json]');
  if (values.country !== undefined && !/^[A-Za-z]{2}$/.test(values.country)) throw new UserError(`--country ${JSON.stringify(values.country)}: expected a two-letter country code such as UA or RU`);
  const near = values.near !== undefined ? parsePoint(values.near, '--near') : undefined;
  const store = openStore(values.db, { mustExist: true });
  try {
    const source = pickSource(store, values.source);
    const place = findPlace(store, name, { country: values.country, near });
    const h = await placeHistory(store, source, place, { progress: progressBar('place histories') });
    io.out(values.json ? JSON.stringify(h, null, 2) : humanHistory(h, source));
    return 0;
  } finally {
    store.close();
  }
}

function humanPlaces(r: PlacesAtResult, limit: number): string {
  const head = `${r.snapshot.source} snapshot ${r.snapshot.id} (${r.snapshot.time})${r.snapshot.flag ? `\n  FLAGGED ${r.snapshot.flag}` : ''}`;
  const shown = r.places.slice(0, limit);
  const t = table(['place', 'country', 'population', 'side', 'lon', 'lat'], shown.map((p) => [p.name, p.country, population(p.population), p.side, p.lon, p.lat]), [false, false, true, false, true, true]);
  const more = r.places.length > shown.length ? `\n… and ${r.places.length - shown.length} more (--limit N, or --json for all)` : '';
  return `${head}\n${t}${more}\n${r.places.length} places. Places: ${r.credit}`;
}

export async function placesCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, at: { type: 'string' }, side: { type: 'string' }, regions: { type: 'string' }, region: { type: 'string' }, source: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const at = parseDate(values.at, '--at', true);
  const side = values.side as Side | undefined;
  if (side !== undefined && !SIDES.includes(side)) throw new UserError(`--side ${JSON.stringify(values.side)}: expected one of ${SIDES.join(', ')}`);
  if ((values.regions === undefined) !== (values.region === undefined)) throw new UserError('--regions SET and --region NAME go together (e.g. --regions oblasts --region "Donetsk Oblast")');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new UserError(`--limit ${JSON.stringify(values.limit)}: expected a positive whole number`);
  return withQuery(values, async (q) => {
    const region = values.regions ? { set: values.regions, name: values.region! } : undefined;
    const r = await placesAt(q.store, q.snapshot(at, '--at'), { side, region }, { figures: q.figures, progress: progressBar('place histories') });
    if (values.json) io.out(JSON.stringify(limit ? { ...r, places: r.places.slice(0, limit) } : r, null, 2));
    else io.out(humanPlaces(r, limit ?? 50));
    return 0;
  });
}

export async function gazetteerCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, 'name-field': { type: 'string' }, 'population-field': { type: 'string' }, 'country-field': { type: 'string' }, credit: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [verb, name, file] = positionals;
  if (verb === 'list') {
    const store = openStore(values.db, { mustExist: true });
    try {
      ensureGazetteer(store);
      const rows = gazetteers(store);
      if (values.json) io.out(JSON.stringify(rows.map((g) => ({ name: g.name, places: g.places, origin: g.origin, credit: g.credit, added: g.added_at })), null, 2));
      else io.out(table(['gazetteer', 'places', 'origin', 'credit'], rows.map((g) => [g.name, g.places, g.origin, g.credit]), [false, true, false, false]));
    } finally {
      store.close();
    }
    return 0;
  }
  const usage = 'usage: frontline gazetteer add NAME FILE [--name-field F] [--population-field F] [--country-field F] [--credit TEXT] | frontline gazetteer list';
  if (verb !== 'add' || !name || !file || positionals.length > 3) throw new UserError(usage);
  if (name === GEONAMES) throw new UserError(`"${GEONAMES}" is built in (${GEONAMES_CREDIT}); choose another name for the gazetteer`);
  if (!/^[\w.-]+$/.test(name)) throw new UserError(`gazetteer name ${JSON.stringify(name)}: use letters, digits, ".", "-" and "_"`);
  const text = readSnapshotFile(file);
  const parsed = parsePlaceList(file, text, { nameField: values['name-field'] ?? 'name', populationField: values['population-field'], countryField: values['country-field'] });
  const store = openStore(values.db);
  try {
    ensureGazetteer(store);
    const credit = values.credit ?? `${name} (${file})`;
    store.transaction(() => putGazetteer(store, { name, origin: file, sha1: createHash('sha1').update(text).digest('hex'), credit }, parsed.places));
  } finally {
    store.close();
  }
  io.out(`gazetteer "${name}": ${parsed.places.length} places from ${file}${parsed.outside ? `; ${parsed.outside} outside Ukraine and Russia's area of interest left out` : ''}`);
  return 0;
}
