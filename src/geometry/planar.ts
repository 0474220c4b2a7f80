/**
 * Planar predicates on flat polygons in lon/lat degrees: which side of a boundary a point is on,
 * a point inside a polygon, and the area in square degrees. Nothing here measures the ground
 * (geodesic.ts does); these classify and check.
 */
import type { MultiPolygon, Polygon, Ring } from './flat.js';

/**
 * Twice the signed area of a closed ring in square degrees (positive: counter-clockwise).
 * Coordinates are taken from the first vertex, so that the products stay small and sums of
 * areas keep their last digits.
 */
export function ringArea2(ring: Ring): number {
  if (ring.length < 8) return 0;
  const x0 = ring[0]!, y0 = ring[1]!;
  let s = 0;
  for (let i = 4; i < ring.length; i += 2) s += (ring[i - 2]! - x0) * (ring[i + 1]! - y0) - (ring[i]! - x0) * (ring[i - 1]! - y0);
  return s;
}

/** Area in square degrees: each polygon's shell minus its holes, whatever their orientation. */
export function planarArea(mp: MultiPolygon): number {
  let a = 0;
  for (const poly of mp) poly.forEach((ring, i) => { a += (i === 0 ? 1 : -1) * Math.abs(ringArea2(ring)); });
  return a / 2;
}

/**
 * Whether a point lies inside a multipolygon by the even-odd rule over all its rings (for valid
 * polygons the same as inside a shell and outside its holes). Edges count half-open in y, so a
 * point on an edge that two multipolygons share gets the same answer from both.
 */
export function containsPoint(mp: MultiPolygon, x: number, y: number): boolean {
  let inside = false;
  for (const poly of mp) {
    for (const ring of poly) {
      for (let i = 2; i < ring.length; i += 2) {
        const x1 = ring[i - 2]!, y1 = ring[i - 1]!, x2 = ring[i]!, y2 = ring[i + 1]!;
        if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
      }
    }
  }
  return inside;
}

/**
 * A point strictly inside a polygon (as JTS's InteriorPointArea finds one): on a horizontal line
 * through no vertex, halfway across the widest span the rings' crossings leave inside.
 * Undefined for a polygon without area.
 */
export function interiorPoint(poly: Polygon): [number, number] | undefined {
  const shell = poly[0];
  if (!shell || shell.length < 8) return undefined;
  let minY = Infinity, maxY = -Infinity;
  for (let i = 1; i < shell.length; i += 2) {
    minY = Math.min(minY, shell[i]!);
    maxY = Math.max(maxY, shell[i]!);
  }
  // the line halfway between the vertex heights nearest to the middle, above and below it
  const mid = (minY + maxY) / 2;
  let below = minY, above = maxY;
  for (const ring of poly) {
    for (let i = 1; i < ring.length; i += 2) {
      const y = ring[i]!;
      if (y <= mid && y > below) below = y;
      if (y > mid && y < above) above = y;
    }
  }
  const y = (below + above) / 2;
  if (!(y > minY && y < maxY)) return undefined;
  const xs: number[] = [];
  for (const ring of poly) {
    for (let i = 2; i < ring.length; i += 2) {
      const x1 = ring[i - 2]!, y1 = ring[i - 1]!, x2 = ring[i]!, y2 = ring[i + 1]!;
      if (y1 > y !== y2 > y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
    }
  }
  xs.sort((a, b) => a - b);
  let best = -1, at = 0;
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const w = xs[i + 1]! - xs[i]!;
    if (w > best) {
      best = w;
      at = (xs[i]! + xs[i + 1]!) / 2;
    }
  }
  return best > 0 ? [at, y] : undefined;
}
