/**
 * Display simplification of region outlines (Douglas–Peucker, per ring, in degrees). Only for
 * drawing: figures always come from the full geometry. Rings that shrink below a triangle (tiny
 * islands and holes at this tolerance) are dropped.
 */
import type { MultiPolygon, Ring } from '../geometry/flat.js';

function simplifyRing(ring: Ring, tolerance: number): Ring | undefined {
  const n = ring.length / 2;
  if (n <= 4) return ring;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  const t2 = tolerance * tolerance;
  // the ring is closed (first = last), so split it at its farthest vertex from the start first
  let far = 0, farD = -1;
  for (let i = 1; i < n - 1; i++) {
    const dx = ring[2 * i]! - ring[0]!, dy = ring[2 * i + 1]! - ring[1]!;
    const d = dx * dx + dy * dy;
    if (d > farD) { farD = d; far = i; }
  }
  keep[far] = 1;
  const stack = [0, far, far, n - 1];
  while (stack.length) {
    const b = stack.pop()!, a = stack.pop()!;
    const ax = ring[2 * a]!, ay = ring[2 * a + 1]!, bx = ring[2 * b]!, by = ring[2 * b + 1]!;
    const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    let best = -1, bestD = t2;
    for (let i = a + 1; i < b; i++) {
      const px = ring[2 * i]! - ax, py = ring[2 * i + 1]! - ay;
      let d: number;
      if (len2 === 0) d = px * px + py * py;
      else {
        const t = Math.max(0, Math.min(1, (px * dx + py * dy) / len2));
        const qx = px - t * dx, qy = py - t * dy;
        d = qx * qx + qy * qy;
      }
      if (d > bestD) { bestD = d; best = i; }
    }
    if (best >= 0) {
      keep[best] = 1;
      stack.push(a, best, best, b);
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) out.push(ring[2 * i]!, ring[2 * i + 1]!);
  return out.length >= 8 ? Float64Array.from(out) : undefined;
}

export function simplifyMultiPolygon(mp: MultiPolygon, tolerance: number): MultiPolygon {
  const out: MultiPolygon = [];
  for (const poly of mp) {
    const shell = poly[0] && simplifyRing(poly[0], tolerance);
    if (!shell) continue;
    const holes = poly.slice(1).map((r) => simplifyRing(r, tolerance)).filter((r): r is Ring => r !== undefined);
    out.push([shell, ...holes]);
  }
  return out;
}
