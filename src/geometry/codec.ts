/**
 * Compact, lossless storage of feature geometries.
 *
 * Coordinates are stored as integers in units of 1e-7 degree (about 1 cm) when that is exact
 * for every coordinate (DeepStateMap and OSM-derived data carry at most 7 decimals), delta
 * coded as zig-zag varints and deflated; otherwise as raw float64. Decoding returns the very
 * doubles the source JSON parsed to, so an import followed by an export returns the input.
 *
 * Layout: [format byte][body]. Formats: 1 quantized and deflated, 2 float64 and deflated,
 * 3 quantized and stored as is. Body: a tree of counts and coordinates:
 *   kind (0 point, 1 line, 2 polygon, 3 multipoint, 4 multiline, 5 multipolygon, 6 collection),
 *   then nested counts down to vertex pairs.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import { vertexCount } from './flat.js';

export type Position = number[];
export interface GeoJSONGeometry {
  type: 'Point' | 'LineString' | 'Polygon' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon' | 'GeometryCollection';
  coordinates?: unknown;
  geometries?: GeoJSONGeometry[];
}

const KINDS = ['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection'] as const;
const DEPTH: Record<string, number> = { Point: 0, LineString: 1, Polygon: 2, MultiPoint: 1, MultiLineString: 2, MultiPolygon: 3 };
/** Stored coordinates lie on a grid of 1e-7° (about 1 cm): this many steps per degree. */
export const SCALE = 1e7;
/** Whether a coordinate lies on the stored grid exactly (it survives quantizing unchanged). */
export const onGrid = (c: number): boolean => Math.round(c * SCALE) / SCALE === c;

/**
 * A key that tells integer grid points of an extent apart: one number per point when the
 * extent's grid fits a double exactly (a cell's does), else a string. Numbers hash several times
 * faster in a Map, and a cell has thousands of vertices.
 */
export function gridPointKey(minX: number, minY: number, maxX: number, maxY: number): (x: number, y: number) => number | string {
  const span = maxY - minY + 1;
  return (maxX - minX + 1) * span < Number.MAX_SAFE_INTEGER ? (x, y) => (x - minX) * span + (y - minY) : (x, y) => `${x} ${y}`;
}

function quantizable(g: GeoJSONGeometry): boolean {
  let ok = true;
  const walk = (c: unknown): void => {
    if (!ok) return;
    if (typeof c === 'number') {
      if (!onGrid(c) || Math.abs(c) > 1000) ok = false;
    } else if (Array.isArray(c)) {
      // only x and y are stored; a third ordinate (always 0 in DeepStateMap) is dropped upstream
      if (c.length && typeof c[0] === 'number') { walk(c[0]); walk(c[1]); } else c.forEach(walk);
    }
  };
  if (g.type === 'GeometryCollection') g.geometries?.forEach((x) => { ok = ok && quantizable(x); });
  else walk(g.coordinates);
  return ok;
}

export function encodeGeometry(g: GeoJSONGeometry): Buffer {
  const q = quantizable(g);
  const w = new ByteWriter();
  let px = 0, py = 0;
  const pos = (p: Position): void => {
    if (q) {
      const x = Math.round(p[0]! * SCALE), y = Math.round(p[1]! * SCALE);
      w.svarint(x - px);
      w.svarint(y - py);
      px = x;
      py = y;
    } else {
      w.f64(p[0]!);
      w.f64(p[1]!);
    }
  };
  const nest = (c: unknown, depth: number): void => {
    if (depth === 0) return pos(c as Position);
    const arr = c as unknown[];
    w.uvarint(arr.length);
    for (const x of arr) nest(x, depth - 1);
  };
  const geom = (x: GeoJSONGeometry): void => {
    w.uvarint(KINDS.indexOf(x.type));
    if (x.type === 'GeometryCollection') {
      const parts = x.geometries ?? [];
      w.uvarint(parts.length);
      parts.forEach(geom);
    } else nest(x.coordinates, DEPTH[x.type]!);
  };
  geom(g);
  const body = deflateRawSync(w.view());
  return Buffer.concat([Buffer.from([q ? QUANTIZED : FLOAT64]), body]);
}

const QUANTIZED = 1, FLOAT64 = 2, QUANTIZED_STORED = 3;

/** The body of a blob of any format, inflated if it was deflated. */
function bodyOf(blob: Buffer): Buffer {
  return blob[0] === QUANTIZED_STORED ? blob.subarray(1) : inflateRawSync(blob.subarray(1));
}

export function decodeGeometry(blob: Buffer): GeoJSONGeometry {
  const q = blob[0] !== FLOAT64;
  const r = new ByteReader(bodyOf(blob));
  let px = 0, py = 0;
  const pos = (): Position => {
    if (!q) return [r.f64(), r.f64()];
    px += r.svarint();
    py += r.svarint();
    return [px / SCALE, py / SCALE];
  };
  const nest = (depth: number): unknown => {
    if (depth === 0) return pos();
    const n = r.uvarint();
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = nest(depth - 1);
    return out;
  };
  const geom = (): GeoJSONGeometry => {
    const type = KINDS[r.uvarint()]!;
    if (type === 'GeometryCollection') {
      const n = r.uvarint();
      const geometries: GeoJSONGeometry[] = [];
      for (let i = 0; i < n; i++) geometries.push(geom());
      return { type, geometries };
    }
    return { type, coordinates: nest(DEPTH[type]!) };
  };
  return geom();
}

/** A part of a flat collection: polygons or lines as flat vertex arrays (geometry/flat.ts). */
export type FlatPart = { type: 'MultiPolygon'; polygons: Float64Array[][] } | { type: 'MultiLineString'; lines: Float64Array[] };

/**
 * A GeometryCollection of flat parts, in the layout encodeGeometry writes for the same
 * collection with its coordinates rounded to 1e-7° (so decodeGeometry reads it too), without
 * building GeoJSON arrays on the way: cells of control geometry are written by the hundred.
 *
 * The body is stored without deflate (format 3). A query writes the cells it computes while its
 * user waits, and there deflate does not pay: the varint deltas shrink by only 8%, while each
 * deflate stream allocates and clears some 256 KiB, about 0.4 ms per cell (70–80 ms for the 177
 * cells of a change across two years).
 */
export function encodeFlatCollection(parts: FlatPart[]): Buffer {
  // room for the usual case, 2–3 bytes per coordinate: a cell is one allocation, not 64 KiB
  let vertices = 0;
  for (const p of parts) vertices += p.type === 'MultiPolygon' ? vertexCount(p.polygons) : p.lines.reduce((n, l) => n + l.length / 2, 0);
  const w = new ByteWriter(64 + 6 * vertices);
  w.bytes(Uint8Array.of(QUANTIZED_STORED));
  let px = 0, py = 0;
  const ring = (r: Float64Array): void => {
    w.uvarint(r.length / 2);
    for (let i = 0; i < r.length; i += 2) {
      const x = Math.round(r[i]! * SCALE), y = Math.round(r[i + 1]! * SCALE);
      w.svarint(x - px);
      w.svarint(y - py);
      px = x;
      py = y;
    }
  };
  w.uvarint(KINDS.indexOf('GeometryCollection'));
  w.uvarint(parts.length);
  for (const p of parts) {
    w.uvarint(KINDS.indexOf(p.type));
    if (p.type === 'MultiPolygon') {
      w.uvarint(p.polygons.length);
      for (const poly of p.polygons) {
        w.uvarint(poly.length);
        poly.forEach(ring);
      }
    } else {
      w.uvarint(p.lines.length);
      p.lines.forEach(ring);
    }
  }
  return w.result();
}

/** Reads a collection of multipolygons and multilines into flat arrays (the inverse of encodeFlatCollection). */
export function decodeFlatCollection(blob: Buffer): FlatPart[] {
  const r = new ByteReader(bodyOf(blob));
  const q = blob[0] !== FLOAT64;
  let px = 0, py = 0;
  const ring = (): Float64Array => {
    const n = r.uvarint();
    const out = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      if (q) {
        px += r.svarint();
        py += r.svarint();
        out[2 * i] = px / SCALE;
        out[2 * i + 1] = py / SCALE;
      } else {
        out[2 * i] = r.f64();
        out[2 * i + 1] = r.f64();
      }
    }
    return out;
  };
  const kind = (): string => KINDS[r.uvarint()]!;
  if (kind() !== 'GeometryCollection') throw new Error('not a geometry collection');
  const n = r.uvarint();
  const out: FlatPart[] = [];
  for (let k = 0; k < n; k++) {
    const type = kind();
    const count = r.uvarint();
    if (type === 'MultiPolygon') {
      const polygons: Float64Array[][] = [];
      for (let i = 0; i < count; i++) {
        const rings = r.uvarint();
        const poly: Float64Array[] = [];
        for (let j = 0; j < rings; j++) poly.push(ring());
        polygons.push(poly);
      }
      out.push({ type, polygons });
    } else if (type === 'MultiLineString') {
      const lines: Float64Array[] = [];
      for (let i = 0; i < count; i++) lines.push(ring());
      out.push({ type, lines });
    } else throw new Error(`unexpected ${type} in a flat collection`);
  }
  return out;
}
