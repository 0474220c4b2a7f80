/**
 * The transitions inside one cell between two snapshots: every piece of ground that went from one
 * side to another, with its geodesic area. `change` sums them.
 *
 * Two snapshots of a cell share most of their outlines: the coast, the border, the cell's edges,
 * the stretches of front that did not move. Both are stored on the same 1e-7° grid, so a shared
 * stretch has the very same vertices in both. The pieces that changed side are bounded only by
 * the stretches that differ, so those alone are noded and polygonized, and each face they enclose
 * is classified by a point inside it: which side held it at each date. On the history this is
 * a few small GEOS operations per cell instead of eight overlays of whole cells.
 *
 * The faces are then checked against the cells: per side, the area that came in minus the area
 * that went out must be the difference of the side's area between the two dates (in square
 * degrees). A cell that fails the check (none on the history; possible in principle where a
 * vertex of one version lies on an edge of the other, leaving lines that do not close) is
 * computed by overlays of the whole cell instead.
 */
import type { Geom, Scope } from '../geometry/geos.js';
import { decodeFlatCollection, encodeFlatCollection, gridPointKey, onGrid, SCALE } from '../geometry/codec.js';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { Line, MultiPolygon, Polygon } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import { containsPoint, interiorPoint, planarArea, ringArea2 } from '../geometry/planar.js';
import { RUSSIA_CELL, type CellControl } from '../control/engine.js';
import type { Side } from './area.js';

/** One transition's ground inside one cell (or inside Russia). */
export interface ChangePiece { from: Side; to: Side; cell: number; mp: MultiPolygon; km2: number }

/** A cell's ground at one date: the other side's (RU in Ukraine, UA in Russia) and contested. */
interface Ground { other: MultiPolygon; contested: MultiPolygon }

const sidesOf = (cell: number): { own: Side; other: Side } => (cell === RUSSIA_CELL ? { own: 'RU', other: 'UA' } : { own: 'UA', other: 'RU' });
const groundOf = (cell: number, c: CellControl | undefined): Ground => ({ other: c ? (cell === RUSSIA_CELL ? c.ua : c.ru) : [], contested: c?.contested ?? [] });

/** The transitions inside one cell, from the outlines that differ (see above), else by overlays. */
export function cellTransitions(s: Scope, cell: number, a: CellControl | undefined, b: CellControl | undefined): ChangePiece[] {
  return boundaryTransitions(s, cell, a, b) ?? overlayTransitions(s, cell, a, b);
}

/**
 * Tolerance of the check in square degrees: about 100 m², a thousandth of the 0.1 km² the
 * figures are given to. Slivers where outlines nearly coincide come and go within it; a face
 * lost to outlines that do not close would not.
 */
const CHECK_TOLERANCE = 1e-8;

/**
 * The transitions from the faces of the differing outlines; undefined when the faces do not
 * account for the change of every side's area (the caller then overlays the cells).
 */
export function boundaryTransitions(s: Scope, cell: number, a: CellControl | undefined, b: CellControl | undefined): ChangePiece[] | undefined {
  const { own, other } = sidesOf(cell);
  const A = groundOf(cell, a), B = groundOf(cell, b);
  const differing = differingSegments([A.other, A.contested, B.other, B.contested]);
  if (!differing.length) return [];
  const faces = s.toMultiPolygon(s.polygonize(s.unaryUnion(s.lines(differing))));
  const sideAt = (g: Ground, x: number, y: number): Side => (containsPoint(g.other, x, y) ? other : containsPoint(g.contested, x, y) ? 'contested' : own);
  const byTransition = new Map<string, { from: Side; to: Side; faces: Polygon[] }>();
  for (const face of faces) {
    const p = interiorPoint(face);
    if (!p) continue;
    const from = sideAt(A, p[0], p[1]), to = sideAt(B, p[0], p[1]);
    if (from === to) continue;
    const k = `${from}>${to}`;
    let t = byTransition.get(k);
    if (!t) byTransition.set(k, (t = { from, to, faces: [] }));
    t.faces.push(face);
  }
  // the check: per side, what came in minus what went out is the change of its area
  const net = { other: 0, contested: 0 };
  const bucket = (side: Side): 'other' | 'contested' | undefined => (side === other ? 'other' : side === 'contested' ? 'contested' : undefined);
  for (const t of byTransition.values()) {
    const area = planarArea(t.faces);
    const f = bucket(t.from), to = bucket(t.to);
    if (f) net[f] -= area;
    if (to) net[to] += area;
  }
  const areas = [A.other, A.contested, B.other, B.contested].map(planarArea);
  if (Math.abs(net.other - (areas[2]! - areas[0]!)) > CHECK_TOLERANCE || Math.abs(net.contested - (areas[3]! - areas[1]!)) > CHECK_TOLERANCE) return undefined;
  const pieces: ChangePiece[] = [];
  for (const t of byTransition.values()) {
    const km2 = areaKm2(t.faces);
    if (km2 > 0) pieces.push({ from: t.from, to: t.to, cell, mp: t.faces, km2 });
  }
  return pieces;
}

/**
 * The segments of the layers' outlines that do not bound the same layers the same way in both
 * snapshots (`layers`: first snapshot's other and contested, then the second's), as 2-point
 * lines. Rings are walked with their interior on the left, so a segment shared with the ground
 * on the same side is dropped and one with the ground on opposite sides is kept.
 */
function differingSegments(layers: MultiPolygon[]): Line[] {
  const key = vertexKey(layers);
  const ids = new Map<number | string, number>();
  const xy: number[] = [];
  const vertex = (x: number, y: number): number => {
    const k = key(x, y);
    let id = ids.get(k);
    if (id === undefined) {
      ids.set(k, (id = xy.length / 2));
      xy.push(x, y);
    }
    return id;
  };
  // undirected segment (lower id × 2^26 + higher id) → 2 bits per layer: seen forward, seen backward
  const bits = new Map<number, number>();
  layers.forEach((mp, layer) => {
    for (const poly of mp) {
      poly.forEach((ring, r) => {
        const ccw = ringArea2(ring) > 0;
        const forward = ccw === (r === 0); // shells counter-clockwise, holes clockwise
        let prev = vertex(ring[0]!, ring[1]!);
        for (let i = 2; i < ring.length; i += 2) {
          const cur = vertex(ring[i]!, ring[i + 1]!);
          if (cur !== prev) {
            const [u, v] = forward ? [prev, cur] : [cur, prev];
            const key = u < v ? u * 2 ** 26 + v : v * 2 ** 26 + u;
            bits.set(key, (bits.get(key) ?? 0) | (1 << (2 * layer + (u < v ? 0 : 1))));
          }
          prev = cur;
        }
      });
    }
  });
  const out: Line[] = [];
  for (const [key, b] of bits) {
    if ((b & 0xf) === (b >> 4)) continue;
    const u = Math.floor(key / 2 ** 26), v = key % 2 ** 26;
    out.push(Float64Array.of(xy[2 * u]!, xy[2 * u + 1]!, xy[2 * v]!, xy[2 * v + 1]!));
  }
  return out;
}

/**
 * A key that tells vertices apart: their grid point's (gridPointKey) when every vertex lies on the
 * 1e-7° grid, as stored cells do, else a string.
 */
function vertexKey(layers: MultiPolygon[]): (x: number, y: number) => number | string {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity, allOnGrid = true;
  for (const mp of layers) {
    for (const poly of mp) {
      for (const ring of poly) {
        for (let i = 0; i < ring.length; i += 2) {
          if (!onGrid(ring[i]!) || !onGrid(ring[i + 1]!)) allOnGrid = false;
          const x = Math.round(ring[i]! * SCALE), y = Math.round(ring[i + 1]! * SCALE);
          if (x < minX) minX = x;
          if (x > maxX) maxX = x;
          if (y < minY) minY = y;
          if (y > maxY) maxY = y;
        }
      }
    }
  }
  if (!allOnGrid) return (x, y) => `${x} ${y}`;
  const key = gridPointKey(minX, minY, maxX, maxY);
  return (x, y) => key(Math.round(x * SCALE), Math.round(y * SCALE));
}

/**
 * The transitions by overlays of the whole cell: the first snapshot's ground of each side
 * intersected with, or cut by, the second's.
 */
export function overlayTransitions(s: Scope, cell: number, a: CellControl | undefined, b: CellControl | undefined): ChangePiece[] {
  const { own, other } = sidesOf(cell);
  const ground = (c: CellControl | undefined): Record<'other' | 'contested', Geom | undefined> => {
    const g = groundOf(cell, c);
    return { other: g.other.length ? s.valid(g.other) : undefined, contested: g.contested.length ? s.valid(g.contested) : undefined };
  };
  const A = ground(a), B = ground(b);
  const taken = (g: typeof A): Geom | undefined => (g.other && g.contested ? s.union(g.other, g.contested) : g.other ?? g.contested);
  const takenA = taken(A), takenB = taken(B);
  const pieces: ChangePiece[] = [];
  const add = (from: Side, to: Side, g: Geom | undefined): void => {
    if (!g) return;
    const mp = s.toMultiPolygon(g);
    const km2 = areaKm2(mp);
    if (mp.length && km2 > 0) pieces.push({ from, to, cell, mp, km2 });
  };
  const minus = (x: Geom | undefined, y: Geom | undefined): Geom | undefined => (x && y ? s.difference(x, y) : x);
  const both = (x: Geom | undefined, y: Geom | undefined): Geom | undefined => (x && y ? s.intersection(x, y) : undefined);
  add(other, own, minus(A.other, takenB));
  add(other, 'contested', both(A.other, B.contested));
  add('contested', other, both(A.contested, B.other));
  add('contested', own, minus(A.contested, takenB));
  add(own, other, minus(B.other, takenA));
  add(own, 'contested', minus(B.contested, takenA));
  return pieces;
}

/** Version of what a cell's transitions hold; part of their storage key with the model. */
export const TRANSITIONS_VERSION = 'boundary-faces/v1';

const SIDE_CODES: Side[] = ['RU', 'UA', 'contested'];

/**
 * A cell's transitions as stored: their count, then each one's sides and km², then their ground
 * as a flat collection (rounded to 1e-7°, as cells are).
 */
export function encodeTransitions(pieces: ChangePiece[]): Buffer {
  const w = new ByteWriter(16 + 10 * pieces.length);
  w.uvarint(pieces.length);
  for (const p of pieces) {
    w.uvarint(SIDE_CODES.indexOf(p.from));
    w.uvarint(SIDE_CODES.indexOf(p.to));
    w.f64(p.km2);
  }
  return Buffer.concat([w.view(), encodeFlatCollection(pieces.map((p) => ({ type: 'MultiPolygon' as const, polygons: p.mp })))]);
}

export function decodeTransitions(blob: Buffer, cell: number): ChangePiece[] {
  const r = new ByteReader(blob);
  const n = r.uvarint();
  const heads = Array.from({ length: n }, () => ({ from: SIDE_CODES[r.uvarint()]!, to: SIDE_CODES[r.uvarint()]!, km2: r.f64() }));
  const parts = decodeFlatCollection(blob.subarray(r.off));
  return heads.map((h, i) => {
    const part = parts[i];
    return { ...h, cell, mp: part?.type === 'MultiPolygon' ? part.polygons : [] };
  });
}
