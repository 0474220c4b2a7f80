/**
 * Rings on the stored 1e-7° grid, coded against rings the reader already has: an earlier version
 * of the same ground, and the land outline it follows.
 *
 * Two versions of a cell's ground share almost everything: the coast and border they are cut
 * to, the cell's edges, every stretch of front that did not move. Coded against the earlier
 * version and the land cell, a version is a few copies of runs of vertices from those rings and
 * the new vertices between them. On the 2022–2025 history a cell's version coded against the one
 * before it takes about 230 bytes, against 1,700 coded alone.
 *
 * Layout, all varints: the number of layers; per layer its polygon count, per polygon its ring
 * count, then its rings. A ring is either
 *   2k + 1: the same as reference ring k, vertex for vertex;
 *   2:      the same as the reference ring after the last one so named;
 *   0:      coded: its vertex count n (closed: the last vertex is the first), then runs until n − 1
 *           vertices are out: 2L for L new vertices (zig-zag steps from the vertex before), or
 *           2L + 1 for L vertices copied from a reference ring (its index, then start × 2 + 1
 *           when walked backwards), which wrap around that ring.
 */
import type { ByteReader, ByteWriter } from '../util/bytes.js';
import { gridPointKey } from './codec.js';

/** A closed ring of integer coordinates (x, y pairs; the last vertex is the first). */
export type IntRing = Int32Array;
/** Polygons of rings (the first of each its shell), as flat/MultiPolygon but on the integer grid. */
export type IntMultiPolygon = IntRing[][];

/** The most vertices a ring read back may have: bounds what damaged data can make a reader allocate. */
const MAX_RING = 1 << 22;
/** Copies shorter than this cost more than the vertices they stand for. */
const MIN_COPY = 3;

/** Index i of a ring of m distinct positions, wrapped round (i may be negative or past the end). */
const wrap = (i: number, m: number): number => ((i % m) + m) % m;

/** Where each vertex of the reference rings first occurs: ring and index. */
class VertexIndex {
  private readonly at = new Map<number | string, number>();
  private readonly key: (x: number, y: number) => number | string;

  constructor(private readonly refs: IntRing[]) {
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (const r of refs) {
      for (let i = 0; i < r.length; i += 2) {
        if (r[i]! < minX) minX = r[i]!;
        if (r[i]! > maxX) maxX = r[i]!;
        if (r[i + 1]! < minY) minY = r[i + 1]!;
        if (r[i + 1]! > maxY) maxY = r[i + 1]!;
      }
    }
    this.key = gridPointKey(minX, minY, maxX, maxY);
    refs.forEach((r, ri) => {
      // the closing vertex repeats the first: indexes run over the n − 1 distinct positions
      for (let i = 0; i + 2 < r.length; i += 2) {
        const k = this.key(r[i]!, r[i + 1]!);
        if (!this.at.has(k)) this.at.set(k, ri * 2 ** 26 + i / 2);
      }
    });
  }

  /** The ring and index where (x, y) first occurs, if it does. */
  find(x: number, y: number): { ring: number; index: number } | undefined {
    const v = this.at.get(this.key(x, y));
    if (v === undefined) return undefined;
    const ring = Math.floor(v / 2 ** 26), index = v % 2 ** 26;
    const r = this.refs[ring]!;
    // a key outside the indexed extent can only collide; check the vertex itself
    return r[2 * index] === x && r[2 * index + 1] === y ? { ring, index } : undefined;
  }
}

const sameRing = (a: IntRing, b: IntRing): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** A cheap content hash of a ring, to find identical reference rings. */
function ringHash(r: IntRing): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < r.length; i++) h = Math.imul(h ^ r[i]!, 0x01000193);
  return `${r.length}:${h >>> 0}`;
}

/**
 * Writes the layers coded against the reference rings. Every ring must be closed (its last vertex
 * its first) with at least four vertices, as GEOS gives them; anything else throws.
 */
export function writeRings(w: ByteWriter, layers: IntMultiPolygon[], refs: IntRing[]): void {
  const index = new VertexIndex(refs);
  const byHash = new Map<string, number[]>();
  refs.forEach((r, i) => {
    const h = ringHash(r);
    const list = byHash.get(h);
    if (list) list.push(i);
    else byHash.set(h, [i]);
  });
  let px = 0, py = 0;
  let lastSame = -2;
  w.uvarint(layers.length);
  for (const layer of layers) {
    w.uvarint(layer.length);
    for (const poly of layer) {
      w.uvarint(poly.length);
      for (const ring of poly) {
        const n = ring.length / 2;
        if (n < 4 || ring.length % 2 || ring[0] !== ring[ring.length - 2] || ring[1] !== ring[ring.length - 1]) throw new Error('writeRings: a ring is not closed');
        const same = byHash.get(ringHash(ring))?.find((i) => sameRing(refs[i]!, ring));
        if (same !== undefined) {
          w.uvarint(same === lastSame + 1 ? 2 : 2 * same + 1);
          lastSame = same;
          continue;
        }
        w.uvarint(0);
        w.uvarint(n);
        let pending: number[] = [];
        const flush = (): void => {
          if (!pending.length) return;
          w.uvarint(pending.length); // 2 × (pending.length / 2) new vertices
          for (let q = 0; q < pending.length; q += 2) {
            w.svarint(pending[q]! - px);
            w.svarint(pending[q + 1]! - py);
            px = pending[q]!;
            py = pending[q + 1]!;
          }
          pending = [];
        };
        // where the last copy ended: the likeliest place for the next one to start
        let follow: { ring: number; index: number; dir: number } | undefined;
        let i = 0;
        while (i < n - 1) {
          const x = ring[2 * i]!, y = ring[2 * i + 1]!;
          let best = 0, bestRing = 0, bestStart = 0, bestDir = 1;
          const tryFrom = (ri: number, j: number, dirs: number[]): void => {
            const r = refs[ri]!, m = r.length / 2 - 1;
            if (r[2 * j] !== x || r[2 * j + 1] !== y) return;
            for (const d of dirs) {
              let L = 1;
              while (i + L < n - 1 && L < m) {
                const jj = wrap(j + d * L, m);
                if (r[2 * jj] !== ring[2 * (i + L)] || r[2 * jj + 1] !== ring[2 * (i + L) + 1]) break;
                L++;
              }
              if (L > best) {
                best = L;
                bestRing = ri;
                bestStart = j;
                bestDir = d;
              }
            }
          };
          if (follow) {
            const m = refs[follow.ring]!.length / 2 - 1;
            tryFrom(follow.ring, wrap(follow.index + follow.dir, m), [follow.dir]);
          }
          const at = index.find(x, y);
          if (at && best < MIN_COPY) tryFrom(at.ring, at.index, [1, -1]);
          if (best >= MIN_COPY) {
            flush();
            w.uvarint(2 * best + 1);
            w.uvarint(bestRing);
            w.uvarint(2 * bestStart + (bestDir < 0 ? 1 : 0));
            const r = refs[bestRing]!, m = r.length / 2 - 1;
            const end = wrap(bestStart + bestDir * (best - 1), m);
            px = r[2 * end]!;
            py = r[2 * end + 1]!;
            follow = { ring: bestRing, index: end, dir: bestDir };
            i += best;
          } else {
            pending.push(x, y);
            follow = undefined;
            i++;
          }
        }
        flush();
      }
    }
  }
}

/** Reads what writeRings wrote, against the same reference rings; throws on data that does not fit them. */
export function readRings(r: ByteReader, refs: IntRing[], end: number): IntMultiPolygon[] {
  const count = (max: number): number => {
    const v = r.uvarint();
    if (!(v <= max) || r.off > end) throw new Error('readRings: damaged data');
    return v;
  };
  let px = 0, py = 0;
  let lastSame = -2;
  const layers: IntMultiPolygon[] = [];
  const nLayers = count(16);
  for (let l = 0; l < nLayers; l++) {
    const polys: IntMultiPolygon = [];
    const nPolys = count(end);
    for (let p = 0; p < nPolys; p++) {
      const rings: IntRing[] = [];
      const nRings = count(end);
      for (let k = 0; k < nRings; k++) {
        const h = count(2 * refs.length + 2);
        if (h !== 0) {
          const same = h === 2 ? lastSame + 1 : (h - 1) / 2;
          if (!Number.isInteger(same) || same < 0 || same >= refs.length) throw new Error('readRings: damaged data');
          rings.push(refs[same]!);
          lastSame = same;
          continue;
        }
        const n = count(MAX_RING);
        if (n < 4) throw new Error('readRings: damaged data');
        const out = new Int32Array(2 * n);
        let i = 0;
        while (i < n - 1) {
          const t = count(2 * (n - 1 - i) + 1);
          const L = t >> 1;
          if (L < 1) throw new Error('readRings: damaged data');
          if (t % 2 === 0) {
            for (let q = 0; q < L; q++, i++) {
              px += r.svarint();
              py += r.svarint();
              out[2 * i] = px;
              out[2 * i + 1] = py;
            }
          } else {
            const ri = count(refs.length - 1);
            const sd = r.uvarint();
            const ref = refs[ri]!, m = ref.length / 2 - 1;
            const start = sd >> 1, dir = sd % 2 ? -1 : 1;
            if (start >= m) throw new Error('readRings: damaged data');
            for (let q = 0; q < L; q++, i++) {
              const jj = wrap(start + dir * q, m);
              out[2 * i] = px = ref[2 * jj]!;
              out[2 * i + 1] = py = ref[2 * jj + 1]!;
            }
          }
        }
        out[2 * n - 2] = out[0]!;
        out[2 * n - 1] = out[1]!;
        rings.push(out);
      }
      polys.push(rings);
    }
    layers.push(polys);
  }
  if (r.off > end) throw new Error('readRings: damaged data');
  return layers;
}
