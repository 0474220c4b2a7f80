/**
 * The transitions inside one cell between two snapshots: every piece of ground that went from one
 * side to another, with its geodesic area. `change` sums them; the helper thread computes them too.
 */
import type { Geom, Scope } from '../geometry/geos.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { areaKm2 } from '../geometry/geodesic.js';
import { RUSSIA_CELL, type CellControl } from '../control/engine.js';
import type { Side } from './area.js';

/** One transition's ground inside one cell (or inside Russia). */
export interface ChangePiece { from: Side; to: Side; cell: number; mp: MultiPolygon; km2: number }

/**
 * The transitions inside one cell. `own` is the cell's default side (UA in Ukraine, RU in
 * Russia) and `layer` the other side's explicit ground in it.
 */
export function cellTransitions(s: Scope, cell: number, a: CellControl | undefined, b: CellControl | undefined): ChangePiece[] {
  const own: Side = cell === RUSSIA_CELL ? 'RU' : 'UA';
  const other: Side = cell === RUSSIA_CELL ? 'UA' : 'RU';
  const layer = (c: CellControl | undefined): MultiPolygon => (c ? (cell === RUSSIA_CELL ? c.ua : c.ru) : []);
  const ground = (c: CellControl | undefined): Record<'other' | 'contested', Geom | undefined> => ({
    other: layer(c).length ? s.valid(layer(c)) : undefined,
    contested: c?.contested.length ? s.valid(c.contested) : undefined,
  });
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

