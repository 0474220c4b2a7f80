/**
 * Geodesic measures on the WGS 84 ellipsoid with GeographicLib's algorithms
 * (Karney, "Algorithms for geodesics", J. Geodesy 87, 2013). Every edge is the geodesic
 * between its two vertices; the area is exact for that polygon to round-off.
 * Spherical or planar formulas are off by 0.3% or more at these latitudes, so none is used.
 */
import geodesicLib from 'geographiclib-geodesic';
import type { MultiPolygon, Ring } from './flat.js';

const WGS84 = geodesicLib.Geodesic.WGS84;

/** Absolute area of one ring in m². */
export function ringAreaM2(ring: Ring): number {
  const n = ring.length / 2 - 1; // the closing vertex repeats the first
  if (n < 3) return 0;
  const poly = WGS84.Polygon(false);
  for (let i = 0; i < n; i++) poly.AddPoint(ring[2 * i + 1]!, ring[2 * i]!);
  const r = poly.Compute(false, true);
  return Math.abs(r.area ?? 0);
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

/** Geodesic length of a polyline given as flat lon/lat pairs, in km. */
export function lineLengthKm(line: Float64Array): number {
  let m = 0;
  for (let i = 2; i < line.length; i += 2) {
    const r = WGS84.Inverse(line[i - 1]!, line[i - 2]!, line[i + 1]!, line[i]!, geodesicLib.Geodesic.DISTANCE);
    m += r.s12 ?? 0;
  }
  return m / 1000;
}
