/**
 * Distances from points to a set of line segments in a plane, and the parts of lines that lie
 * farther than a given distance from them. Callers project to a local frame in km first.
 *
 * Why not a GEOS buffer of the segments and a difference: a country's outline near a cell has
 * thousands of vertices (coasts, lakes), and buffering it cost over a second of a date's first
 * `front`, while the lines to test have a few hundred. Here each point's distance is exact, and a
 * line is walked in steps the distance allows: the distance to a set changes no faster than the
 * point moves (it is 1-Lipschitz), so a point `m` nearer or farther than the threshold stays on
 * its side for the next `m` along the line. Where the side changes, the crossing is bisected.
 */
import type { Line } from './flat.js';

/**
 * Steps shorter than this are not taken: crossings within a step are bisected. A stretch shorter
 * than this that dips across the threshold and back within one step can be missed (5 m in km frames).
 */
const MIN_STEP = 5e-3;
/** Crossings are bisected to this length. */
const CROSSING_TOLERANCE = 1e-6;

export class SegmentIndex {
  /** Segment endpoints, four numbers per segment: x0, y0, x1, y1. */
  private readonly segs: Float64Array;
  private readonly buckets = new Map<number, number[]>();
  /** Per segment, the query that last looked at it (a segment sits in several buckets). */
  private readonly seen: Uint32Array;
  private query = 0;

  /**
   * @param lines the segments, as lines (x, y pairs)
   * @param reach queries need distances up to this; beyond it they report `reach`
   * @param sx, sy scales applied to the lines' x and y (into the frame queries are in)
   */
  constructor(lines: Line[], private readonly reach: number, sx = 1, sy = 1) {
    let n = 0;
    for (const l of lines) n += Math.max(0, l.length / 2 - 1);
    this.segs = new Float64Array(n * 4);
    this.seen = new Uint32Array(n);
    const size = reach / RINGS;
    let k = 0;
    for (const l of lines) {
      for (let i = 0; i + 3 < l.length; i += 2) {
        const x0 = l[i]! * sx, y0 = l[i + 1]! * sy, x1 = l[i + 2]! * sx, y1 = l[i + 3]! * sy;
        const at = k * 4;
        this.segs[at] = x0; this.segs[at + 1] = y0; this.segs[at + 2] = x1; this.segs[at + 3] = y1;
        const bx0 = Math.floor(Math.min(x0, x1) / size), bx1 = Math.floor(Math.max(x0, x1) / size);
        const by0 = Math.floor(Math.min(y0, y1) / size), by1 = Math.floor(Math.max(y0, y1) / size);
        for (let bx = bx0; bx <= bx1; bx++) {
          for (let by = by0; by <= by1; by++) {
            const key = bucketKey(bx, by);
            const list = this.buckets.get(key);
            if (list) list.push(k);
            else this.buckets.set(key, [k]);
          }
        }
        k++;
      }
    }
  }

  get size(): number {
    return this.seen.length;
  }

  /**
   * Distance from (x, y) to the nearest segment, or `reach` if none is nearer. Buckets are read
   * ring by ring outwards from the point's own, until a ring lies farther than the best so far:
   * near an outline (the common case) one or two rings decide.
   */
  distance(x: number, y: number): number {
    const size = this.reach / RINGS, segs = this.segs;
    const bx = Math.floor(x / size), by = Math.floor(y / size);
    const q = ++this.query;
    let best2 = this.reach * this.reach;
    for (let r = 0; r <= RINGS; r++) {
      // every point of ring r's buckets is at least (r − 1) buckets away from the point
      const ringFrom = (r - 1) * size;
      if (r > 1 && ringFrom * ringFrom >= best2) break;
      for (let i = bx - r; i <= bx + r; i++) {
        const edge = i === bx - r || i === bx + r;
        for (let j = by - r; j <= by + r; j += edge ? 1 : 2 * r) {
          const list = this.buckets.get(bucketKey(i, j));
          if (!list) continue;
          for (const s of list) {
            if (this.seen[s] === q) continue;
            this.seen[s] = q;
            const d2 = pointSegment2(x, y, segs[4 * s]!, segs[4 * s + 1]!, segs[4 * s + 2]!, segs[4 * s + 3]!);
            if (d2 < best2) best2 = d2;
          }
        }
      }
    }
    return Math.sqrt(best2);
  }
}

/** Buckets per `reach`: a query reads at most (2·RINGS + 1)² of them. */
const RINGS = 3;

/** Buckets are keyed by their integer coordinates; frames in km stay far below 2^20 buckets. */
const bucketKey = (bx: number, by: number): number => (bx + 0x100000) * 0x200000 + (by + 0x100000);

function pointSegment2(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = x0 + t * dx - px, ey = y0 + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * The parts of `lines` farther than `d` from the index's segments (d < the index's reach), each
 * a line of its own. Points exactly at `d` count as near. With `firstOnly`, stops at the first
 * such part (enough to know whether there is any).
 */
export function partsFartherThan(lines: Line[], index: SegmentIndex, d: number, firstOnly = false): Line[] {
  const out: Line[] = [];
  const run: number[] = [];
  const flush = () => {
    if (run.length >= 4) out.push(Float64Array.from(run));
    run.length = 0;
  };
  for (const l of lines) {
    if (l.length < 4) continue;
    // the side of the threshold at the walk's position, and how much farther along the line it
    // is sure to hold: the margin |distance − d| at the last point measured, less the way since
    let m = index.distance(l[0]!, l[1]!) - d;
    let far = m > 0;
    let budget = Math.abs(m);
    if (far) run.push(l[0]!, l[1]!);
    for (let i = 0; i + 3 < l.length; i += 2) {
      const x0 = l[i]!, y0 = l[i + 1]!, x1 = l[i + 2]!, y1 = l[i + 3]!;
      const len = Math.hypot(x1 - x0, y1 - y0);
      // unit direction; a zero-length segment is its first point
      const ux = len > 0 ? (x1 - x0) / len : 0, uy = len > 0 ? (y1 - y0) / len : 0;
      let s = 0;
      while (len - s > budget) {
        const next = Math.min(len, s + Math.max(budget, MIN_STEP));
        m = index.distance(x0 + ux * next, y0 + uy * next) - d;
        const farNext = m > 0;
        if (farNext !== far) {
          // the side changed within (s, next]: bisect for the crossing
          let lo = s, hi = next;
          while (hi - lo > CROSSING_TOLERANCE) {
            const mid = (lo + hi) / 2;
            if (index.distance(x0 + ux * mid, y0 + uy * mid) - d > 0 === far) lo = mid;
            else hi = mid;
          }
          const at = far ? lo : hi;
          run.push(x0 + ux * at, y0 + uy * at);
          if (far) {
            flush();
            if (firstOnly) return out;
          }
          far = farNext;
        }
        budget = Math.abs(m);
        s = next;
      }
      budget -= len - s;
      if (far) run.push(x1, y1);
    }
    flush();
    if (firstOnly && out.length) return out;
  }
  return out;
}
