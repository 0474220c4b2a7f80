/**
 * Places: a place's control history, the places and their sides on a date, and prefix search
 * for the map's search box. The same calls as `frontline place|places --json`.
 *
 * The gazetteer and the place histories are stored by the CLI on first use (`frontline places
 * --at DATE` once). The server only reads: until they are there, these endpoints answer 503 with
 * the command to run.
 */
import { pickSource, snapshotInHistory, SIDES } from '../analytics/area.js';
import { findPlace, placeHistory, placesAt, searchPlaces } from '../analytics/places.js';
import { UserError } from '../model/errors.js';
import type { ApiData } from './data.js';
import { endpoint, type Endpoint } from './endpoint.js';
import { badRequest, HttpError } from './errors.js';

/** Most results of one search (the search box shows a short list). */
const SEARCH_LIMIT = 20;

const source = { in: 'query', type: 'string', description: 'Source of the snapshots; by default the only one, or deepstate.', example: 'deepstate' } as const;

/** Runs a places query, turning "not prepared in this read-only database" into a 503 that says what to run. */
export async function prepared<T>(data: ApiData, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as { code?: string }).code;
    const noGazetteer = e instanceof UserError && /no gazetteer loaded/.test(e.message);
    if (noGazetteer || code === 'SQLITE_READONLY') {
      throw new HttpError(503, `places are not prepared in ${data.store.path}: run \`frontline places --at YYYY-MM-DD --db ${data.store.path}\` once to load the gazetteer and compute place histories`);
    }
    throw e;
  }
}

const placeSchema = {
  type: 'object',
  required: ['name', 'country', 'population', 'lon', 'lat'],
  properties: { name: { type: 'string' }, country: { type: 'string' }, population: { type: ['integer', 'null'] }, lon: { type: 'number' }, lat: { type: 'number' } },
};

function parsePoint(value: string): { lon: number; lat: number } {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value);
  const lon = Number(m?.[1]), lat = Number(m?.[2]);
  if (!m || Math.abs(lon) > 180 || Math.abs(lat) > 90) throw badRequest(`near ${JSON.stringify(value)}: expected LON,LAT in degrees, e.g. near=37.80,48.99`);
  return { lon, lat };
}

export const PLACE_ENDPOINTS: Endpoint[] = [
  endpoint({
    path: '/api/v1/place',
    summary: "A place's control history over every snapshot",
    description: 'Exactly the JSON of `frontline place NAME --json`.',
    params: {
      name: { in: 'query', type: 'string', required: true, description: 'Place name (case, diacritics and transliteration variants are folded).', example: 'Pokrovsk' },
      country: { in: 'query', type: 'string', description: 'ISO 3166-1 alpha-2 code when several places share the name.', example: 'UA' },
      near: { in: 'query', type: 'string', description: 'LON,LAT in degrees: of several places sharing the name, the nearest.', example: '37.74,48.14' },
      source,
    },
    cache: 'latest',
    response: { description: 'The place and its history as intervals.', schema: { type: 'object', description: 'As `frontline place NAME --json` prints it.' } },
    handle: (p, { data }) => prepared(data, async () => {
      if (p.country !== undefined && !/^[A-Za-z]{2}$/.test(p.country)) throw badRequest(`country ${JSON.stringify(p.country)}: expected a two-letter country code such as UA or RU`);
      const src = pickSource(data.store, p.source);
      const place = findPlace(data.store, p.name, { country: p.country, near: p.near === undefined ? undefined : parsePoint(p.near) });
      return placeHistory(data.store, src, place, { figures: data.figures });
    }),
  }),
  endpoint({
    path: '/api/v1/places',
    summary: 'Places and their sides on a date, largest first',
    description: 'Exactly the JSON of `frontline places --json`.',
    params: {
      at: { in: 'query', type: 'date', endOfDay: true, required: true, description: 'YYYY-MM-DD (the end of that UTC day) or a full ISO 8601 time.', example: '2025-03-13' },
      side: { in: 'query', type: 'string', enum: SIDES, description: 'Only places on this side.', example: 'RU' },
      regions: { in: 'query', type: 'string', description: 'With region: only places in that region of this set.', example: 'oblasts' },
      region: { in: 'query', type: 'string', description: 'With regions: the region.', example: 'Donetsk Oblast' },
      limit: { in: 'query', type: 'integer', minimum: 1, description: 'At most this many places.', example: '50' },
      source,
    },
    cache: 'latest',
    response: { description: 'The snapshot, its places with their sides, and the gazetteer credit.', schema: { type: 'object', description: 'As `frontline places --json` prints it.' } },
    handle: (p, { data }) => prepared(data, async () => {
      if ((p.regions === undefined) !== (p.region === undefined)) throw badRequest('regions=SET and region=NAME go together (e.g. regions=oblasts&region=Donetsk Oblast)');
      const src = pickSource(data.store, p.source);
      const snap = snapshotInHistory(data.store, src, p.at, 'at');
      const r = await placesAt(data.store, snap, { side: p.side, region: p.regions ? { set: p.regions, name: p.region! } : undefined }, { figures: data.figures });
      return p.limit ? { ...r, places: r.places.slice(0, p.limit) } : r;
    }),
  }),
  endpoint({
    path: '/api/v1/places/search',
    summary: 'Places whose name (or a word of it) starts with a prefix, largest first',
    description: `For a search box: at most ${SEARCH_LIMIT} places.`,
    params: { q: { in: 'query', type: 'string', required: true, description: 'The prefix.', example: 'Pokr' } },
    cache: 'latest',
    response: { description: 'Matching places, largest first.', schema: { type: 'array', maxItems: SEARCH_LIMIT, items: placeSchema } },
    handle: (p, { data }) => prepared(data, () => searchPlaces(data.store, p.q, SEARCH_LIMIT)),
  }),
];
