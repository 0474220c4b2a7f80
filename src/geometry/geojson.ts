/**
 * Validation at the edge: GeoJSON text from any source becomes checked features here, or a
 * one-line UserError that names the input and what is wrong with it.
 */
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
    return c.map((x) => walk(x, d - 1));
  };
  return { type: geom.type, coordinates: walk(geom.coordinates, depth) };
}

/** Parses a FeatureCollection (or a single Feature) into checked features. */
export function parseFeatureCollection(text: string, origin: string): InputFeature[] {
  const doc = parseJson(text, origin) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new UserError(`${origin}: not a GeoJSON object`);
  checkCrs(doc, origin);
  let raw: unknown[];
  if (doc.type === 'FeatureCollection') {
    if (!Array.isArray(doc.features)) throw new UserError(`${origin}: FeatureCollection without a features array`);
    raw = doc.features;
  } else if (doc.type === 'Feature') raw = [doc];
  else throw new UserError(`${origin}: expected a GeoJSON FeatureCollection, found ${JSON.stringify(doc.type ?? typeof doc)}`);
  return raw.map((f, i) => {
    const feat = f as { type?: unknown; geometry?: unknown; properties?: unknown } | null;
    const where = `${origin}: feature ${i}`;
    if (!feat || feat.type !== 'Feature') throw new UserError(`${where}: not a GeoJSON Feature`);
    const props = feat.properties && typeof feat.properties === 'object' ? (feat.properties as Record<string, unknown>) : {};
    return { geometry: cleanGeometry(feat.geometry, where), properties: props };
  });
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
