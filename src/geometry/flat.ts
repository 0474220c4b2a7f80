/**
 * Flat polygon representation used everywhere inside frontline.
 *
 * A ring is a closed Float64Array [x0, y0, x1, y1, …, x0, y0] of lon/lat degrees (WGS 84).
 * A polygon is its rings, outer ring first; a multipolygon is a list of polygons.
 * Flat typed arrays keep hot loops free of per-vertex objects.
 */
export type Ring = Float64Array;
export type Polygon = Ring[];
export type MultiPolygon = Polygon[];
/** A polyline: [x0, y0, x1, y1, …] in lon/lat degrees. */
export type Line = Float64Array;

export interface BBox {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function bboxOf(mp: MultiPolygon): BBox {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  // every ring, not only the first: in invalid input a "hole" can lie outside its shell
  for (const poly of mp) {
    for (const ring of poly) {
      for (let i = 0; i < ring.length; i += 2) {
        const x = ring[i]!, y = ring[i + 1]!;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return { minX, minY, maxX, maxY };
}

export function bboxIntersects(a: BBox, b: BBox): boolean {
  return a.minX <= b.maxX && b.minX <= a.maxX && a.minY <= b.maxY && b.minY <= a.maxY;
}

export function vertexCount(mp: MultiPolygon): number {
  let n = 0;
  for (const poly of mp) for (const ring of poly) n += ring.length / 2;
  return n;
}

/** GeoJSON coordinates of a multipolygon, rounded to 1e-7 degrees (about 1 cm) for output. */
export function toGeoJSONCoordinates(mp: MultiPolygon, decimals = 7): number[][][][] {
  const f = 10 ** decimals;
  return mp.map((poly) =>
    poly.map((ring) => {
      const out: number[][] = [];
      for (let i = 0; i < ring.length; i += 2) out.push([Math.round(ring[i]! * f) / f, Math.round(ring[i + 1]! * f) / f]);
      return out;
    }),
  );
}
