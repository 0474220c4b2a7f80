/**
 * Point-in-polygon for many points against one multipolygon.
 *
 * Even-odd ray casting over every ring: exact for valid polygons (GEOS output, or input that
 * passed GEOSisValid), which is all this is used on. Edges are bucketed into horizontal strips
 * so a query only tests the edges crossing its latitude band: a front-line polygon has tens of
 * thousands of vertices, and thousands of places are tested against it.
 */
import type { BBox, MultiPolygon } from '../geometry/flat.js';
import { bboxOf } from '../geometry/flat.js';

export class PolygonIndex {
  readonly bbox: BBox;
  private readonly edges: Float64Array; // x1, y1, x2, y2 per edge
  private readonly stripStart: Uint32Array;
  private readonly stripEdges: Uint32Array;
  private readonly strips: number;
  private readonly stripHeight: number;

  constructor(mp: MultiPolygon) {
    this.bbox = bboxOf(mp);
    let n = 0;
    for (const poly of mp) for (const ring of poly) n += Math.max(0, ring.length / 2 - 1);
    const e = new Float64Array(4 * n);
    let k = 0;
    for (const poly of mp) {
      for (const ring of poly) {
        for (let i = 0; i + 3 < ring.length; i += 2) {
          if (ring[i + 1] === ring[i + 3]) continue; // horizontal edges never cross a horizontal ray
          e[k++] = ring[i]!; e[k++] = ring[i + 1]!; e[k++] = ring[i + 2]!; e[k++] = ring[i + 3]!;
        }
      }
    }
    this.edges = e.subarray(0, k);
    const m = k / 4;
    this.strips = Math.max(1, Math.min(1 << 14, Math.ceil(m / 8)));
    this.stripHeight = (this.bbox.maxY - this.bbox.minY) / this.strips || 1;
    const counts = new Uint32Array(this.strips + 1);
    const range = (i: number): [number, number] => {
      const y1 = this.edges[4 * i + 1]!, y2 = this.edges[4 * i + 3]!;
      return [this.strip(Math.min(y1, y2)), this.strip(Math.max(y1, y2))];
    };
    for (let i = 0; i < m; i++) {
      const [a, b] = range(i);
      for (let s = a; s <= b; s++) counts[s + 1]!++;
    }
    for (let s = 0; s < this.strips; s++) counts[s + 1]! += counts[s]!;
    this.stripStart = counts.slice();
    const fill = counts.slice();
    this.stripEdges = new Uint32Array(counts[this.strips]!);
    for (let i = 0; i < m; i++) {
      const [a, b] = range(i);
      for (let s = a; s <= b; s++) this.stripEdges[fill[s]!++] = i;
    }
  }

  private strip(y: number): number {
    return Math.min(this.strips - 1, Math.max(0, Math.floor((y - this.bbox.minY) / this.stripHeight)));
  }

  contains(x: number, y: number): boolean {
    const b = this.bbox;
    if (x < b.minX || x > b.maxX || y < b.minY || y > b.maxY) return false;
    const s = this.strip(y);
    const e = this.edges;
    let inside = false;
    for (let j = this.stripStart[s]!, end = this.stripStart[s + 1]!; j < end; j++) {
      const i = 4 * this.stripEdges[j]!;
      const x1 = e[i]!, y1 = e[i + 1]!, x2 = e[i + 2]!, y2 = e[i + 3]!;
      if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
    }
    return inside;
  }
}
