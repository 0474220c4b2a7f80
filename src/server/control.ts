/**
 * The map's control geometry, in two steps so that a client moving along the timeline downloads
 * only what changed: a snapshot's list of cell keys, then the cells it does not hold yet. Both
 * are addressed by content (a stored snapshot never changes; a key names one cell's content), so
 * both are immutable. The key lists of every snapshot also come in one answer (/control-keys),
 * each as the keys added and removed since the previous snapshot, so that a client can step
 * along the timeline and fetch cells ahead without asking for one list at a time.
 */
import { pickSource } from '../analytics/area.js';
import { CONTROL_METHOD_VERSION, type CellControl } from '../control/engine.js';
import { toUrl } from '../control/geometry.js';
import { decodeCellKeys } from '../analytics/figures.js';
import { toGeoJSONCoordinates, type Line } from '../geometry/flat.js';
import { snapshotById, snapshotJson } from './api.js';
import type { SnapshotRow } from '../store/sqlite.js';
import type { ApiData } from './data.js';
import { endpoint, type Endpoint } from './endpoint.js';
import { notFound } from './errors.js';
import { schemaRef } from './schemas.js';

/** Most keys one /control-cells request may ask for (keeps URLs under 8 KB: a key is 27 characters). */
export const MAX_KEYS = 200;
/** Output precision: 1e-6° is about 10 cm, finer than any drawing. */
const DECIMALS = 6;
/** Units of the compact form's integers: 1e-6°. */
const SCALE = 10 ** DECIMALS;

const source = { in: 'query', type: 'string', description: 'Source of the snapshots; by default the only one, or deepstate.', example: 'deepstate' } as const;

function lineCoordinates(lines: Line[]): number[][][] {
  const f = 10 ** DECIMALS;
  return lines.map((l) => {
    const out: number[][] = [];
    for (let i = 0; i < l.length; i += 2) out.push([Math.round(l[i]! * f) / f, Math.round(l[i + 1]! * f) / f]);
    return out;
  });
}

/**
 * One ring or line in the compact form: integers in units of 1/SCALE degree, the first point as
 * is and each later one as its difference from the point before it. A ring leaves out its
 * closing point (which repeats the first). The integers are exactly those the GeoJSON form
 * rounds to, so both forms decode to the same coordinates.
 */
function deltaCoded(l: Float64Array, closed: boolean): number[] {
  // rings are closed (the GEOS output stored): the last point is the first again
  const n = closed ? l.length - 2 : l.length;
  const out = new Array<number>(n);
  let px = 0, py = 0;
  for (let i = 0; i < n; i += 2) {
    const x = Math.round(l[i]! * SCALE), y = Math.round(l[i + 1]! * SCALE);
    out[i] = x - px;
    out[i + 1] = y - py;
    px = x;
    py = y;
  }
  return out;
}

/** A cell in the compact form (`format=delta`, schema ControlCellsDelta): only the members it has. */
function deltaCell(key: string, c: CellControl): object {
  const out: Record<string, unknown> = { cell: key };
  for (const [side, mp] of [['RU', c.ru], ['UA', c.ua], ['contested', c.contested]] as const) {
    if (mp.length) out[side] = mp.map((poly) => poly.map((ring) => deltaCoded(ring, true)));
  }
  if (c.front.length) out.front = c.front.map((l) => deltaCoded(l, false));
  return out;
}

function cellFeatures(key: string, c: CellControl): object[] {
  const out: object[] = [];
  for (const [side, mp] of [['RU', c.ru], ['UA', c.ua], ['contested', c.contested]] as const) {
    if (mp.length) out.push({ type: 'Feature', properties: { cell: key, side }, geometry: { type: 'MultiPolygon', coordinates: toGeoJSONCoordinates(mp, DECIMALS) } });
  }
  if (c.front.length) out.push({ type: 'Feature', properties: { cell: key, kind: 'front' }, geometry: { type: 'MultiLineString', coordinates: lineCoordinates(c.front) } });
  return out;
}

/** Every snapshot's stored cell keys, as the deltas /control-keys sends, and the first snapshot to hold each key. */
interface KeyIndex {
  keys: string[];
  snapshots: { id: string; add: number[]; remove: number[] }[];
  holder: Map<string, SnapshotRow>;
}

/** Per database state and source; rebuilt when snapshots are added or the model changes. */
const indexes = new WeakMap<ApiData, Map<string, { token: string; index: KeyIndex }>>();

/**
 * The stored cell keys of every snapshot of a source, read in one query (stored with the
 * snapshot's control geometry: `serve` prepares every snapshot's before it listens). Snapshots
 * without stored keys are left out.
 */
function keyIndex(data: ApiData, src: string): KeyIndex {
  let bySource = indexes.get(data);
  if (!bySource) indexes.set(data, (bySource = new Map()));
  const token = data.tokens.latest;
  const known = bySource.get(src);
  if (known?.token === token) return known.index;
  const rows = data.snapshots(src);
  const byRowId = new Map(rows.map((r) => [r.id, r]));
  const stored = data.store.db.prepare('SELECT snapshot_id, cells FROM snapshot_cells WHERE model = ?').all(data.figures.model(src)) as { snapshot_id: number; cells: Buffer }[];
  const cellsOf = new Map<number, Buffer>();
  for (const r of stored) if (byRowId.has(r.snapshot_id)) cellsOf.set(r.snapshot_id, r.cells);
  const index: KeyIndex = { keys: [], snapshots: [], holder: new Map() };
  const byKey = new Map<string, number>();
  let previous = new Set<number>();
  for (const snap of rows) {
    const blob = cellsOf.get(snap.id);
    if (!blob) continue;
    const current = new Set<number>();
    const add: number[] = [];
    for (const cell of decodeCellKeys(blob)) {
      const key = toUrl(cell.key);
      let k = byKey.get(key);
      if (k === undefined) {
        k = index.keys.length;
        index.keys.push(key);
        byKey.set(key, k);
        index.holder.set(key, snap);
      }
      current.add(k);
      if (!previous.has(k)) add.push(k);
    }
    const remove = [...previous].filter((k) => !current.has(k));
    index.snapshots.push({ id: snap.ext_id, add, remove });
    previous = current;
  }
  bySource.set(src, { token, index });
  return index;
}

export const CONTROL_ENDPOINTS: Endpoint[] = [
  endpoint({
    path: '/api/v1/control-keys',
    summary: "Every snapshot's cell keys, as changes from the previous snapshot",
    description: 'The keys of /api/v1/snapshots/{id}/control for the whole history in one answer: `keys` lists each distinct key once, and each snapshot, oldest first, names the keys (by their index in `keys`) it adds to and removes from the previous listed snapshot\'s list; the first lists all of its keys. Consecutive snapshots differ by a few keys, so the whole history is small. A snapshot whose cell keys are not stored (its control geometry not prepared under the current model, as `frontline serve` does before it listens) is left out: ask /api/v1/snapshots/{id}/control for it.',
    params: { source },
    cache: 'latest',
    response: { description: 'The key table and the key changes per snapshot.', schema: schemaRef('ControlKeys') },
    handle: (p, { data }) => {
      const src = pickSource(data.store, p.source);
      const { keys, snapshots } = keyIndex(data, src);
      return { source: src, method: CONTROL_METHOD_VERSION, keys, snapshots };
    },
  }),
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
    description: 'Polygons with properties {cell, side} (UA appears only for ground Ukraine holds inside Russia: the rest of Ukraine is UA implicitly) and front-line segments with {cell, kind: "front"}. Keys come from /api/v1/snapshots/{id}/control or /api/v1/control-keys; a key of no snapshot known to this server is a 404. With `format=delta` the same geometry comes in a compact form, one entry per requested key (schema ControlCellsDelta): what the web app asks for.',
    params: {
      keys: { in: 'query', type: 'list', required: true, maxItems: MAX_KEYS, description: `Comma-separated cell keys, at most ${MAX_KEYS}.` },
      format: {
        in: 'query', type: 'string', enum: ['geojson', 'delta'],
        description: 'geojson (the default): a GeoJSON FeatureCollection (application/geo+json). delta: the same geometry in a compact JSON form (application/json, schema ControlCellsDelta): coordinates as integers in units of 1e-6°, each ring and line delta-coded; about half the size of GeoJSON, a third smaller gzipped. Both decode to the same coordinates.',
        example: 'delta',
      },
      source,
    },
    cache: 'immutable',
    response: {
      description: 'The cells as GeoJSON features; with `format=delta`, in the compact form.',
      schema: schemaRef('ControlCells'),
      mediaType: 'application/geo+json',
      alternative: { param: 'format', value: 'delta', schema: schemaRef('ControlCellsDelta'), mediaType: 'application/json' },
    },
    handle: async (p, { data }) => {
      const src = pickSource(data.store, p.source);
      const keys = [...new Set(p.keys)];
      let found = data.geometry.cells(src, keys);
      let missing = keys.filter((k) => !found.has(k));
      if (missing.length) {
        // keys /control-keys lists whose geometry is not stored (stored under an older cell
        // geometry version, say): made from the snapshots that hold them, as /snapshots/{id}/control would
        const holder = keyIndex(data, src).holder;
        const snaps = new Set(missing.map((k) => holder.get(k)).filter((s) => s !== undefined));
        for (const snap of snaps) await data.geometry.snapshotControl(snap);
        if (snaps.size) {
          found = data.geometry.cells(src, keys);
          missing = keys.filter((k) => !found.has(k));
        }
      }
      if (missing.length) {
        throw notFound(`keys: ${missing.length} unknown cell key${missing.length > 1 ? 's' : ''} (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}); get current keys from /api/v1/snapshots/{id}/control`);
      }
      if (p.format === 'delta') return { format: 'delta', scale: SCALE, cells: keys.map((k) => deltaCell(k, found.get(k)!)) };
      return { type: 'FeatureCollection', features: keys.flatMap((k) => cellFeatures(k, found.get(k)!)) };
    },
  }),
];
