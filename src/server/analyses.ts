/**
 * Change, front and peak: the same analytics calls as `frontline change|front|peak --json`, with
 * the HTTP parameter names in the messages where the CLI names its flags.
 */
import { pickSource, seriesSnapshots, snapshotInHistory } from '../analytics/area.js';
import { ChangeService, onlyRegion } from '../analytics/change.js';
import { changeGeoJSON } from '../analytics/change-geojson.js';
import { COUNTRIES } from '../analytics/figures.js';
import { FrontService } from '../analytics/front.js';
import { frontGeoJSON } from '../analytics/front-geojson.js';
import { peak } from '../analytics/peak.js';
import { endpoint, type Endpoint } from './endpoint.js';
import { badRequest } from './errors.js';
import { prepared } from './places.js';
import type { ApiData } from './data.js';
import type { FigureService } from '../analytics/figures.js';

/**
 * One service of each kind per figure service, so that control cells computed for one request
 * serve the next (the database is read-only: they live only in memory). A new figure service
 * (after a rule-set or region-set change) gets new ones.
 */
const changes = new WeakMap<FigureService, ChangeService>();
const fronts = new WeakMap<FigureService, FrontService>();
function changeService(data: ApiData): ChangeService {
  let s = changes.get(data.figures);
  if (!s) changes.set(data.figures, (s = new ChangeService(data.store, data.figures)));
  return s;
}
function frontService(data: ApiData): FrontService {
  let s = fronts.get(data.figures);
  if (!s) fronts.set(data.figures, (s = new FrontService(data.store, data.figures)));
  return s;
}

const source = { in: 'query', type: 'string', description: 'Source of the snapshots; by default the only one, or deepstate.', example: 'deepstate' } as const;
const regions = { in: 'query', type: 'string', description: 'Region set: countries (the default, built in) or one added with `frontline regions add`.', example: 'oblasts' } as const;
const format = { in: 'query', type: 'string', enum: ['json', 'geojson'], description: 'json (the default): the figures; geojson: the geometry behind them.' } as const;
const endDate = (description: string, example: string) => ({ in: 'query', type: 'date', endOfDay: true, required: true, description, example }) as const;

const loose = { type: 'object', description: 'As printed by the matching CLI command with --json.' };

export const ANALYSIS_ENDPOINTS: Endpoint[] = [
  endpoint({
    path: '/api/v1/change',
    summary: 'Ground gained and lost by each side between two dates, per region',
    description: 'Exactly the JSON of `frontline change --json` (with `format=geojson`, the changed pieces as `frontline change --geojson` writes them). Each date stands for the latest snapshot at or before the end of that day.',
    params: {
      from: endDate('The earlier date: YYYY-MM-DD or a full ISO 8601 time.', '2025-03-01'),
      to: endDate('The later date.', '2025-04-01'),
      regions,
      region: { in: 'query', type: 'string', description: 'Only this region of the set (exact, case-insensitive, or a unique prefix).', example: 'Donetsk Oblast' },
      format,
      source,
    },
    cache: 'latest',
    response: { description: 'Per region and side: from_km2, to_km2, gained_km2, lost_km2, net_km2; or a FeatureCollection of changed pieces.', schema: loose },
    handle: async (p, { data }) => {
      if (p.from > p.to) throw badRequest(`from ${p.from.toISOString()} is after to ${p.to.toISOString()}`);
      if (p.region && !p.regions) throw badRequest('region needs regions=SET (the set the region belongs to)');
      const src = pickSource(data.store, p.source);
      const set = p.regions ?? COUNTRIES;
      data.figures.regionSetId(set);
      const a = snapshotInHistory(data.store, src, p.from, 'from'), b = snapshotInHistory(data.store, src, p.to, 'to');
      const service = changeService(data);
      // the pieces name their nearest place, from the gazetteer
      if (p.format === 'geojson') return prepared(data, () => changeGeoJSON(data.store, service, a, b));
      const result = await service.change(a, b, set);
      result.rows = onlyRegion(result.rows, p.region, set);
      return result;
    },
  }),
  endpoint({
    path: '/api/v1/front',
    summary: 'The front line on a date and its geodesic length, total and per region',
    description: 'Exactly the JSON of `frontline front --json` (with `format=geojson`, the line as `frontline front --geojson` writes it).',
    params: {
      at: endDate('YYYY-MM-DD (the end of that UTC day) or a full ISO 8601 time.', '2025-03-13'),
      regions,
      format,
      source,
    },
    cache: 'latest',
    response: { description: 'Length in km, per region, with provenance; or the line as GeoJSON.', schema: loose },
    handle: async (p, { data }) => {
      const src = pickSource(data.store, p.source);
      const set = p.regions ?? COUNTRIES;
      data.figures.regionSetId(set);
      const snap = snapshotInHistory(data.store, src, p.at, 'at');
      const service = frontService(data);
      const r = await service.front(snap, set);
      return p.format === 'geojson' ? frontGeoJSON(service, snap, r) : r;
    },
  }),
  endpoint({
    path: '/api/v1/peak',
    summary: 'The most ground a side held in a region within a window, and how much of it it still holds',
    description: 'Exactly the JSON of `frontline peak --json`.',
    params: {
      side: { in: 'query', type: 'string', enum: ['UA', 'RU'], required: true, description: 'Whose ground.', example: 'UA' },
      regions: { ...regions, required: true },
      region: { in: 'query', type: 'string', required: true, description: 'The region (exact, case-insensitive, or a unique prefix).', example: 'Kursk Oblast' },
      from: { in: 'query', type: 'date', required: true, description: 'Start of the window (start of that UTC day).', example: '2024-08-01' },
      to: endDate('End of the window.', '2025-04-30'),
      at: { in: 'query', type: 'date', endOfDay: true, description: 'The date to compare with the peak; by default `to`.', example: '2025-03-13' },
      source,
    },
    cache: 'latest',
    response: { description: 'Peak and retained ground, held and held-or-contested.', schema: loose },
    handle: async (p, { data }) => {
      if (p.from > p.to) throw badRequest(`from ${p.from.toISOString()} is after to ${p.to.toISOString()}`);
      const at = p.at ?? p.to;
      if (at < p.from) throw badRequest(`at ${at.toISOString()} is before from ${p.from.toISOString()}`);
      const src = pickSource(data.store, p.source);
      data.figures.regionSetId(p.regions);
      snapshotInHistory(data.store, src, p.to, 'to');
      const atSnap = snapshotInHistory(data.store, src, at, 'at');
      const window = seriesSnapshots(data.store, src, p.from, p.to, 'snapshot', false);
      return peak(data.figures, window, atSnap, p.regions, p.region, p.side);
    },
  }),
];
