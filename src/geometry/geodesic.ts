/**
 * Geodesic measures on the WGS 84 ellipsoid with GeographicLib's algorithms
 * (Karney, "Algorithms for geodesics", J. Geodesy 87, 2013). Every edge is the geodesic
 * between its two vertices; the area is exact for that polygon to round-off.
 * Spherical or planar formulas are off by 0.3% or more at these latitudes, so none is used.
 */
import geodesicLib from 'geographiclib-geodesic';
import type { MultiPolygon, Ring } from './flat.js';

const WGS84 = geodesicLib.Geodesic.WGS84;
/** WGS 84: semi-major axis (m), flattening, first eccentricity squared. */
const A = 6378137, F = 1 / 298.257223563, E2 = F * (2 - F);
const RAD = Math.PI / 180;

/**
 * Absolute area of one ring in m²: the sum over its edges of the area between the edge and the
 * equator (GeographicLib's S12), as GeographicLib's PolygonArea sums it.
 *
 * An edge spanning at most SHORT_SEGMENT_DEG in latitude and longitude gets its S12 in closed
 * form: the latitudes are mapped to authalic latitudes ξ (an equal-area map onto the sphere of
 * the ellipsoid's area), where the edge's area down to the equator is that of a great-circle
 * quadrilateral, tan(E/2) = tan(Δλ/2)·(tan(ξ₁/2) + tan(ξ₂/2)) / (1 + tan(ξ₁/2)·tan(ξ₂/2)), times
 * the authalic radius squared. Over such a span the geodesic and that great circle enclose the
 * same area to some 0.003 m² per edge of the data, 0.07 m² at worst for a full 0.01° diagonal (a
 * test bounds it against GeographicLib), and it costs a few transcendental functions where
 * GeographicLib's inverse problem iterates: a tenth of the time. Longer edges, and a ring that
 * could go round a pole, go to GeographicLib.
 */
export function ringAreaM2(ring: Ring): number {
  const n = ring.length / 2 - 1; // the closing vertex repeats the first
  if (n < 3) return 0;
  let s12 = 0, primeMeridianCrossings = 0;
  let lon1 = ring[0]!, lat1 = ring[1]!, t1 = tanHalfAuthalic(lat1);
  for (let i = 2; i < ring.length; i += 2) {
    const lon2 = ring[i]!, lat2 = ring[i + 1]!;
    const t2 = tanHalfAuthalic(lat2);
    const dLon = lon2 - lon1;
    if (Math.abs(dLon) > 180) return polygonAreaM2(ring);
    if ((lon1 <= 0) !== (lon2 <= 0)) primeMeridianCrossings++;
    if (dLon === 0) {
      // along a meridian (a cell's side): the geodesic is the meridian, with nothing between it and the equator
    } else if (Math.abs(dLon) <= SHORT_SEGMENT_DEG && Math.abs(lat2 - lat1) <= SHORT_SEGMENT_DEG) {
      s12 += 2 * AUTHALIC_R2 * Math.atan2(Math.tan((dLon * RAD) / 2) * (t1 + t2), 1 + t1 * t2);
    } else if (lat1 === lat2) {
      s12 += alongParallelS12(lat1, dLon);
    } else {
      s12 += WGS84.Inverse(lat1, lon1, lat2, lon2, geodesicLib.Geodesic.AREA).S12 ?? 0;
    }
    lon1 = lon2;
    lat1 = lat2;
    t1 = t2;
  }
  // an odd number of crossings: the ring goes round a pole, which PolygonArea accounts for
  if (primeMeridianCrossings % 2) return polygonAreaM2(ring);
  return Math.abs(s12);
}

/**
 * S12 of the geodesic between two points of one parallel, which depends on the latitude and the
 * difference of longitude alone: the cells' top and bottom edges repeat these by the thousand.
 */
const parallelS12 = new Map<string, number>();
function alongParallelS12(lat: number, dLon: number): number {
  const key = `${lat} ${dLon}`;
  let v = parallelS12.get(key);
  if (v === undefined) {
    v = WGS84.Inverse(lat, 0, lat, dLon, geodesicLib.Geodesic.AREA).S12 ?? 0;
    if (parallelS12.size > 100_000) parallelS12.clear();
    parallelS12.set(key, v);
  }
  return v;
}

/** GeographicLib's PolygonArea over a ring (m², absolute). */
export function polygonAreaM2(ring: Ring): number {
  const n = ring.length / 2 - 1;
  if (n < 3) return 0;
  const poly = WGS84.Polygon(false);
  for (let i = 0; i < n; i++) poly.AddPoint(ring[2 * i + 1]!, ring[2 * i]!);
  const r = poly.Compute(false, true);
  return Math.abs(r.area ?? 0);
}

/** Eccentricity, and q(φ) of the authalic latitude: sin ξ = q(φ) / q(90°). */
const E = Math.sqrt(E2);
function authalicQ(sinPhi: number): number {
  return (1 - E2) * (sinPhi / (1 - E2 * sinPhi * sinPhi) - Math.log((1 - E * sinPhi) / (1 + E * sinPhi)) / (2 * E));
}
const QP = authalicQ(1);
/** The authalic radius squared: the sphere of the ellipsoid's area. */
const AUTHALIC_R2 = (A * A * QP) / 2;
function tanHalfAuthalic(latDeg: number): number {
  const sinXi = Math.min(1, Math.max(-1, authalicQ(Math.sin(latDeg * RAD)) / QP));
  return Math.tan(Math.asin(sinXi) / 2);
}

/** Area of a multipolygon in km²: outer rings minus holes. */
export function areaKm2(mp: MultiPolygon): number {
  let m2 = 0;
  for (const poly of mp) {
    poly.forEach((ring, i) => {
      const a = ringAreaM2(ring);
      m2 += i === 0 ? a : -a;
    });
  }
  return m2 / 1e6;
}

/** Segments spanning at most this (degrees, in latitude and longitude) are measured in closed form. */
const SHORT_SEGMENT_DEG = 0.01;

/**
 * Geodesic length of a polyline given as flat lon/lat pairs, in km.
 *
 * A segment spanning under SHORT_SEGMENT_DEG (about 1 km) is measured with the ellipsoid's
 * radii of curvature at its middle latitude, sqrt((M·Δφ)² + (N·cos φ·Δλ)²): over such a span
 * this differs from the geodesic by a few parts in 10⁹ (a test bounds it against GeographicLib), and it
 * costs a few multiplications where GeographicLib's inverse problem iterates. Front lines are
 * almost all such segments; longer ones go to GeographicLib.
 */
export function lineLengthKm(line: Float64Array): number {
  let m = 0;
  for (let i = 2; i < line.length; i += 2) {
    const lon1 = line[i - 2]!, lat1 = line[i - 1]!, lon2 = line[i]!, lat2 = line[i + 1]!;
    const dLat = lat2 - lat1, dLon = lon2 - lon1;
    if (Math.abs(dLat) <= SHORT_SEGMENT_DEG && Math.abs(dLon) <= SHORT_SEGMENT_DEG) {
      const phi = ((lat1 + lat2) / 2) * RAD;
      const sin = Math.sin(phi), w2 = 1 - E2 * sin * sin;
      const n = A / Math.sqrt(w2), mRadius = (n * (1 - E2)) / w2;
      m += Math.hypot(mRadius * dLat * RAD, n * Math.cos(phi) * dLon * RAD);
      continue;
    }
    const r = WGS84.Inverse(lat1, lon1, lat2, lon2, geodesicLib.Geodesic.DISTANCE);
    m += r.s12 ?? 0;
  }
  return m / 1000;
}

/**
 * The ellipsoidal azimuthal equidistant projection about a centre (as GeographicLib's
 * AzimuthalEquidistant): distances and azimuths from the centre are exact; across the radius the
 * scale is off by about (s/R)²/6, 0.2% at 700 km. Used to buffer lines by a distance in km.
 */
export class AzimuthalEquidistant {
  constructor(readonly lon0: number, readonly lat0: number) {}

  /** lon/lat pairs to x/y in km. */
  forward(lonlat: Float64Array): Float64Array {
    const out = new Float64Array(lonlat.length);
    const mask = geodesicLib.Geodesic.DISTANCE | geodesicLib.Geodesic.AZIMUTH;
    for (let i = 0; i < lonlat.length; i += 2) {
      const r = WGS84.Inverse(this.lat0, this.lon0, lonlat[i + 1]!, lonlat[i]!, mask);
      const s = (r.s12 ?? 0) / 1000, a = ((r.azi1 ?? 0) * Math.PI) / 180;
      out[i] = s * Math.sin(a);
      out[i + 1] = s * Math.cos(a);
    }
    return out;
  }

  /** x/y in km back to lon/lat pairs. */
  reverse(xy: Float64Array): Float64Array {
    const out = new Float64Array(xy.length);
    for (let i = 0; i < xy.length; i += 2) {
      const x = xy[i]!, y = xy[i + 1]!;
      const r = WGS84.Direct(this.lat0, this.lon0, (Math.atan2(x, y) * 180) / Math.PI, Math.hypot(x, y) * 1000, geodesicLib.Geodesic.LATITUDE | geodesicLib.Geodesic.LONGITUDE);
      out[i] = r.lon2!;
      out[i + 1] = r.lat2!;
    }
    return out;
  }
}
