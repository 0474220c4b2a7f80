/**
 * Validation at the edge: GeoJSON text from any source becomes checked features here, or a
 * one-line UserError that names the input and what is wrong with it.
 */
import { isUtf8 } from 'node:buffer';
import { UserError } from '../model/errors.js';
import type { GeoJSONGeometry } from './codec.js';
import type { MultiPolygon, Polygon } from './flat.js';

export interface InputFeature {
  geometry: GeoJSONGeometry;
  properties: Record<string, unknown>;
}

/** CRS names that mean plain WGS 84 longitude/latitude. */
const WGS84_CRS = /^(urn:ogc:def:crs:OGC:1\.3:CRS84|urn:ogc:def:crs:OGC::CRS84|urn:ogc:def:crs:EPSG::4326|EPSG:4326|CRS84|urn:ogc:def:crs:EPSG:[\d.]*:4326)$/i;
const TYPES = new Set(['Point', 'LineString', 'Polygon', 'MultiPoint', 'MultiLineString', 'MultiPolygon', 'GeometryCollection']);

export function parseJson(text: string, origin: string): unknown {
  if (text.trim() === '') throw new UserError(`${origin}: empty file, expected GeoJSON`);
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new UserError(`${origin}: malformed JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/**
 * JSON bytes as text, and how to read the strings in what it parses to. A file in valid UTF-8
 * without `\u` escapes is read as Latin-1: every byte one character, which V8 decodes several
 * times faster than UTF-8 and parses faster too (a one-byte string). JSON's structure is ASCII and
 * no byte of a multi-byte UTF-8 sequence is, so the parse is the same; only strings holding such
 * bytes come out as Latin-1 spellings of their UTF-8 and must go through `strings` (see
 * parseFeatureCollection, which does so for properties). DeepStateMap's 631 MiB history spent
 * more time in UTF-8 decoding than in JSON.parse.
 */
export function jsonText(bytes: Buffer): { text: string; strings: (v: unknown) => unknown } {
  const bom = bomLength(bytes);
  if (!isUtf8(bytes) || bytes.includes('\\u')) return { text: bytes.toString('utf8'), strings: (v) => v };
  return { text: bytes.toString('latin1', bom), strings: utf8Strings };
}

/** Bytes taken by a UTF-8 byte-order mark at the start (0 or 3). */
export function bomLength(bytes: Buffer): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

const HIGH = /[\x80-\xff]/;

/** Undoes a Latin-1 reading of UTF-8 in every string (and object key) of a parsed value. */
function utf8Strings(v: unknown): unknown {
  if (typeof v === 'string') return HIGH.test(v) ? Buffer.from(v, 'latin1').toString('utf8') : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = v.map(utf8Strings);
    return out.some((x, i) => x !== v[i]) ? out : v;
  }
  const entries = Object.entries(v);
  const fixed = entries.map(([k, x]) => [utf8Strings(k) as string, utf8Strings(x)] as const);
  // a new object only when a key or value changed (Object.fromEntries: "__proto__" stays a plain key)
  return fixed.some(([k, x], i) => k !== entries[i]![0] || x !== entries[i]![1]) ? Object.fromEntries(fixed) : v;
}

function checkCrs(doc: Record<string, unknown>, origin: string): void {
  const crs = doc.crs as { properties?: { name?: unknown } } | undefined;
  if (crs === undefined || crs === null) return;
  const name = crs.properties?.name;
  if (typeof name !== 'string' || !WGS84_CRS.test(name.trim())) {
    throw new UserError(`${origin}: unsupported CRS ${JSON.stringify(name ?? crs)}; frontline reads WGS 84 longitude/latitude (CRS84 or EPSG:4326) only`);
  }
}

/** Strips a third ordinate and checks that positions are finite lon/lat. */
function cleanGeometry(g: unknown, where: string): GeoJSONGeometry {
  if (g === null || g === undefined) throw new UserError(`${where}: null geometry`);
  const geom = g as GeoJSONGeometry;
  if (typeof geom !== 'object' || !TYPES.has(geom.type)) throw new UserError(`${where}: unknown geometry type ${JSON.stringify((geom as { type?: unknown }).type)}`);
  if (geom.type === 'GeometryCollection') {
    if (!Array.isArray(geom.geometries)) throw new UserError(`${where}: GeometryCollection without geometries`);
    return { type: geom.type, geometries: geom.geometries.map((x, i) => cleanGeometry(x, `${where}, part ${i}`)) };
  }
  const depth = { Point: 0, LineString: 1, MultiPoint: 1, Polygon: 2, MultiLineString: 2, MultiPolygon: 3 }[geom.type];
  const walk = (c: unknown, d: number): unknown => {
    if (!Array.isArray(c)) throw new UserError(`${where}: malformed ${geom.type} coordinates`);
    if (d === 0) {
      const x = c[0], y = c[1];
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
        throw new UserError(`${where}: malformed position ${JSON.stringify(c).slice(0, 60)}`);
      }
      if (Math.abs(x) > 180 || Math.abs(y) > 90) {
        throw new UserError(`${where}: position ${JSON.stringify([x, y])} is not longitude/latitude; unknown or projected CRS (frontline reads WGS 84 only)`);
      }
      return c.length === 2 ? c : [x, y];
    }
    // arrays are copied only where a position loses its third ordinate: a snapshot holds
    // millions of positions, and copying them all cost more than parsing them
    let out: unknown[] | undefined;
    for (let i = 0; i < c.length; i++) {
      const x = walk(c[i], d - 1);
      if (x !== c[i]) (out ??= c.slice())[i] = x;
    }
    return out ?? c;
  };
  return { type: geom.type, coordinates: walk(geom.coordinates, depth) };
}

/** Parses a FeatureCollection (or a single Feature), as text or as the file's bytes, into checked features. */
export function parseFeatureCollection(input: string | Buffer, origin: string): InputFeature[] {
  const { text, strings } = typeof input === 'string' ? { text: input, strings: (v: unknown) => v } : jsonText(input);
  const doc = parseJson(text, origin) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new UserError(`${origin}: not a GeoJSON object`);
  if (doc.crs !== undefined) doc.crs = strings(doc.crs);
  checkCrs(doc, origin);
  let raw: unknown[];
  if (doc.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features)) throw new UserError(`${origin}: FeatureCollection without a features array`);
    raw = doc.features;
  } else if (doc.type === 'Feature') raw = [doc];
  else throw new UserError(`${origin}: expected a GeoJSON FeatureCollection, found ${JSON.stringify(doc.type ?? typeof doc)}`);
  return raw.map((f, i) => checkFeature(f, `${origin}: feature ${i}`, strings));
}

/** One parsed feature, checked; `strings` undoes a Latin-1 reading (see jsonText). */
export function checkFeature(f: unknown, where: string, strings: (v: unknown) => unknown = (v) => v): InputFeature {
  const feat = f as { type?: unknown; geometry?: unknown; properties?: unknown } | null;
  if (!feat || feat.type !== 'Feature') throw new UserError(`${where}: not a GeoJSON Feature`);
  const props = feat.properties && typeof feat.properties === 'object' ? (strings(feat.properties) as Record<string, unknown>) : {};
  return { geometry: cleanGeometry(feat.geometry, where), properties: props };
}

/** The polygonal parts of a geometry as flat polygons (points and lines are not area). */
export function polygonsOf(g: GeoJSONGeometry): MultiPolygon {
  const ring = (r: number[][]): Float64Array => {
    const out = new Float64Array(r.length * 2);
    for (let i = 0; i < r.length; i++) {
      out[2 * i] = r[i]![0]!;
      out[2 * i + 1] = r[i]![1]!;
    }
    return out;
  };
  const poly = (p: number[][][]): Polygon => p.map(ring);
  switch (g.type) {
    case 'Polygon': return [poly(g.coordinates as number[][][])];
    case 'MultiPolygon': return (g.coordinates as number[][][][]).map(poly);
    case 'GeometryCollection': return (g.geometries ?? []).flatMap(polygonsOf);
    default: return [];
  }
}
