/**
 * The map's control geometry, in two steps so that a client moving along the timeline downloads
 * only what changed: a snapshot's list of cell keys, then the cells it does not hold yet. Both
 * are addressed by content (a stored snapshot never changes; a key names one cell's content), so
 * both are immutable.
 */
import { pickSource } from '../analytics/area.js';
import { CONTROL_METHOD_VERSION, type CellControl } from '../control/engine.js';
import { toGeoJSONCoordinates, type Line } from '../geometry/flat.js';
import { snapshotById, snapshotJson } from './api.js';
import { endpoint, type Endpoint } from './endpoint.js';
import { notFound } from './errors.js';
import { schemaRef } from './schemas.js';

/** Most keys one /control-cells request may ask for (keeps URLs under 8 KB: a key is 27 characters). */
export const MAX_KEYS = 200;
/** Output precision: 1e-6° is about 10 cm, finer than any drawing. */
const DECIMALS = 6;

const source = { in: 'query', type: 'string', description: 'Source of the snapshots; by default the only one, or deepstate.', example: 'deepstate' } as const;

function lineCoordinates(lines: Line[]): number[][][] {
  const f = 10 ** DECIMALS;
  return lines.map((l) => {
    const out: number[][] = [];
    for (let i = 0; i < l.length; i += 2) out.push([Math.round(l[i]! * f) / f, Math.round(l[i + 1]! * f) / f]);
    return out;
  });
}

function cellFeatures(key: string, c: CellControl): object[] {
  const out: object[] = [];
  for (const [side, mp] of [['RU', c.ru], ['UA', c.ua], ['contested', c.contested]] as const) {
    if (mp.length) out.push({ type: 'Feature', properties: { cell: key, side }, geometry: { type: 'MultiPolygon', coordinates: toGeoJSONCoordinates(mp, DECIMALS) } });
  }
  if (c.front.length) out.push({ type: 'Feature', properties: { cell: key, kind: 'front' }, geometry: { type: 'MultiLineString', coordinates: lineCoordinates(c.front) } });
  return out;
}

export const CONTROL_ENDPOINTS: Endpoint[] = [
  endpoint({
    path: '/api/v1/snapshots/{id}/control',
    summary: "A snapshot's control geometry, as the keys of its cells",
    description: 'The area of interest is cut into 0.5° cells; each key names the content of one cell holding RU, contested or (inside Russia) UA ground. Cells not listed are wholly their country\'s. Consecutive snapshots share almost all keys: fetch only unknown ones from /api/v1/control-cells.',
    params: {
      id: { in: 'path', type: 'string', description: "The snapshot's id in its source (DeepStateMap: Unix seconds).", example: '1741873398' },
      source,
    },
    cache: 'immutable',
    response: { description: 'The snapshot and its cell keys.', schema: schemaRef('SnapshotControl') },
    handle: async (p, { data }) => {
      const snap = snapshotById(data, pickSource(data.store, p.source), p.id, 'path');
      const control = await data.geometry.snapshotControl(snap);
      return { snapshot: snapshotJson(snap), method: CONTROL_METHOD_VERSION, cells: control.cells.map((c) => c.key) };
    },
  }),
  endpoint({
    path: '/api/v1/control-cells',
    summary: 'The geometry of control cells, by key',
    description: 'Polygons with properties {cell, side} (UA appears only for ground Ukraine holds inside Russia: the rest of Ukraine is UA implicitly) and front-line segments with {cell, kind: "front"}. Keys come from /api/v1/snapshots/{id}/control; a key this server has not seen in a snapshot since it started is a 404.',
    params: {
      keys: { in: 'query', type: 'list', required: true, maxItems: MAX_KEYS, description: `Comma-separated cell keys, at most ${MAX_KEYS}.` },
      source,
    },
    cache: 'immutable',
    response: { description: 'The cells as GeoJSON features.', schema: schemaRef('ControlCells'), mediaType: 'application/geo+json' },
    handle: (p, { data }) => {
      const src = pickSource(data.store, p.source);
      const keys = [...new Set(p.keys)];
      const found = data.geometry.cells(src, keys);
      const missing = keys.filter((k) => !found.has(k));
      if (missing.length) {
        throw notFound(`keys: ${missing.length} unknown cell key${missing.length > 1 ? 's' : ''} (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); get current keys from /api/v1/snapshots/{id}/control`);
      }
      return { type: 'FeatureCollection', features: keys.flatMap((k) => cellFeatures(k, found.get(k)!)) };
    },
  }),
];
