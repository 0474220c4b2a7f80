/**
 * The /api/v1 endpoints. Each calls the same analytics functions as the matching CLI command,
 * so that `GET /api/v1/area?at=D` and `frontline area --at D --json` give the same JSON.
 */
import { areaAt, pickSource, seriesSnapshots, type AreaResult, type Every } from '../analytics/area.js';
import { COUNTRIES } from '../analytics/figures.js';
import { loadBorders } from '../control/borders.js';
import { decodeGeometry } from '../geometry/codec.js';
import { toGeoJSONCoordinates, type MultiPolygon } from '../geometry/flat.js';
import { polygonsOf } from '../geometry/geojson.js';
import { UserError } from '../model/errors.js';
import type { SnapshotRow } from '../store/sqlite.js';
import type { ApiData } from './data.js';
import { endpoint, type Endpoint } from './endpoint.js';
import { badRequest, notFound } from './errors.js';
import { schemaRef } from './schemas.js';
import { simplifyMultiPolygon } from './simplify.js';

const EVERY = ['snapshot', 'day', 'week', 'month'] as const satisfies readonly Every[];

/** Region outlines are simplified to about 100 m for drawing, and rounded to about 1 m. */
const DISPLAY_TOLERANCE_DEG = 0.001;
const DISPLAY_DECIMALS = 5;

const source = { in: 'query', type: 'string', description: 'Source of the snapshots; by default the only one, or deepstate.', example: 'deepstate' } as const;
const regions = { in: 'query', type: 'string', description: 'Region set: countries (the default, built in) or one added with `frontline regions add`.', example: 'oblasts' } as const;

export function snapshotJson(s: SnapshotRow): AreaResult['snapshot'] {
  return { source: s.source, id: s.ext_id, time: s.time, flag: s.flag };
}

/** A stored snapshot by the source's own id; `where` says whether it came from the path (404) or the query (400). */
export function snapshotById(data: ApiData, sourceName: string | undefined, id: string, where: 'path' | 'query'): SnapshotRow {
  const src = pickSource(data.store, sourceName);
  const found = data.snapshotByExtId(src, id);
  if (!found) {
    const message = `${where === 'query' ? 'snapshot' : 'id'} ${JSON.stringify(id)}: no ${src} snapshot has this id (see /api/v1/snapshots)`;
    throw where === 'path' ? notFound(message) : badRequest(message);
  }
  return found;
}

function regionNames(data: ApiData, set: string): string[] {
  if (set === COUNTRIES) return ['Ukraine', 'Russia'];
  return (data.store.db.prepare('SELECT name FROM regions WHERE set_name = ? ORDER BY name').all(set) as { name: string }[]).map((r) => r.name);
}

function regionOutlines(data: ApiData, set: string): { name: string; mp: MultiPolygon }[] {
  if (set === COUNTRIES) {
    const b = loadBorders();
    return [{ name: 'Ukraine', mp: b.ukraine }, { name: 'Russia', mp: b.russia }];
  }
  const stored = data.store.regionSet(set);
  if (!stored) {
    try {
      data.figures.regionSetId(set); // the CLI's message, with the known sets
    } catch (e) {
      if (e instanceof UserError) throw notFound(e.message);
      throw e;
    }
    throw notFound(`unknown region set "${set}"`);
  }
  return stored.regions.map((r) => ({ name: r.name, mp: polygonsOf(decodeGeometry(r.geom)) }));
}

export const CORE_ENDPOINTS: Endpoint[] = [
  endpoint({
    path: '/api/v1/snapshots',
    summary: 'The stored snapshots of a source, oldest first',
    params: { source },
    cache: 'latest',
    response: { description: 'Snapshots with their data-quality flags.', schema: schemaRef('SnapshotList') },
    handle: (p, { data }) => {
      const src = pickSource(data.store, p.source);
      return { source: src, snapshots: data.snapshots(src).map((s) => ({ id: s.ext_id, time: s.time, flag: s.flag })) };
    },
  }),
  endpoint({
    path: '/api/v1/area',
    summary: 'Ground held by each side, per region, from one snapshot',
    description: 'Exactly the JSON of `frontline area --json`: from the latest snapshot at or before `at`, or from the snapshot `snapshot`.',
    params: {
      at: { in: 'query', type: 'date', endOfDay: true, description: 'YYYY-MM-DD (the end of that UTC day) or a full ISO 8601 time.', example: '2025-03-13' },
      snapshot: { in: 'query', type: 'string', description: "A snapshot by the source's own id, instead of `at`.", example: '1741873398' },
      regions,
      source,
    },
    exactlyOne: [['at', 'snapshot']],
    cache: 'latest',
    response: { description: 'Figures with provenance.', schema: schemaRef('Area') },
    handle: async (p, { data }) => {
      const src = pickSource(data.store, p.source);
      const snap = p.at ? data.snapshotAt(src, p.at) : snapshotById(data, src, p.snapshot!, 'query');
      return areaAt(data.figures, snap, p.regions ?? COUNTRIES);
    },
  }),
  endpoint({
    path: '/api/v1/series',
    summary: 'Figures for every snapshot (or the last of each period) in a date range',
    description: 'Exactly the JSON of `frontline series --json`.',
    params: {
      from: { in: 'query', type: 'date', required: true, description: 'YYYY-MM-DD (start of that UTC day) or a full ISO 8601 time.', example: '2025-01-01' },
      to: { in: 'query', type: 'date', endOfDay: true, required: true, description: 'YYYY-MM-DD (end of that UTC day) or a full ISO 8601 time.', example: '2025-03-31' },
      every: { in: 'query', type: 'string', enum: EVERY, description: 'Every snapshot (the default) or the last snapshot of each UTC day, ISO week or month.', example: 'week' },
      regions,
      skip_flagged: { in: 'query', type: 'boolean', description: 'Leave out snapshots flagged as implausible.' },
      source,
    },
    cache: 'latest',
    response: { description: 'One Area per snapshot, oldest first.', schema: schemaRef('Series') },
    handle: async (p, { data }) => {
      if (p.from > p.to) throw badRequest(`from ${p.from.toISOString()} is after to ${p.to.toISOString()}`);
      const src = pickSource(data.store, p.source);
      const set = p.regions ?? COUNTRIES;
      data.figures.regionSetId(set); // fails early on an unknown set, as the CLI does
      const snaps = seriesSnapshots(data.store, src, p.from, p.to, p.every ?? 'snapshot', p.skip_flagged ?? false);
      const out: AreaResult[] = [];
      for (const s of snaps) out.push(await areaAt(data.figures, s, set));
      return out;
    },
  }),
  endpoint({
    path: '/api/v1/regions',
    summary: 'The region sets and the names of their regions',
    params: {},
    cache: 'latest',
    response: { description: 'The built-in set "countries" first, then the imported sets by name.', schema: schemaRef('RegionSets') },
    handle: (_p, { data }) => ({
      sets: [COUNTRIES, ...data.store.regionSetNames()].map((name) => ({ name, regions: regionNames(data, name) })),
    }),
  }),
  endpoint({
    path: '/api/v1/regions/{set}/geojson',
    summary: "A region set's outlines, simplified for display",
    description: 'Douglas–Peucker to about 100 m, coordinates rounded to 1e-5°. For drawing only: figures come from the full geometry.',
    params: { set: { in: 'path', type: 'string', description: 'Region set name.', example: 'oblasts' } },
    cache: 'latest',
    response: { description: 'One feature per region, properties.name.', schema: schemaRef('RegionFeatureCollection'), mediaType: 'application/geo+json' },
    handle: (p, { data }) => ({
      type: 'FeatureCollection',
      features: regionOutlines(data, p.set).map((r) => ({
        type: 'Feature',
        properties: { name: r.name },
        geometry: { type: 'MultiPolygon', coordinates: toGeoJSONCoordinates(simplifyMultiPolygon(r.mp, DISPLAY_TOLERANCE_DEG), DISPLAY_DECIMALS) },
      })),
    }),
  }),
];
