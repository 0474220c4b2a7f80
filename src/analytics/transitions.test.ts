import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getGeos } from '../geometry/geos.js';
import type { MultiPolygon } from '../geometry/flat.js';
import { containsPoint, interiorPoint, planarArea } from '../geometry/planar.js';
import type { CellControl } from '../control/engine.js';
import { boundaryTransitions, decodeTransitions, encodeTransitions, overlayTransitions, type ChangePiece } from './transitions.js';

/** A box as a polygon (counter-clockwise unless `cw`). */
const box = (x0: number, y0: number, x1: number, y1: number, cw = false): Float64Array =>
  cw ? Float64Array.of(x0, y0, x0, y1, x1, y1, x1, y0, x0, y0) : Float64Array.of(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
const cell = (ru: MultiPolygon, contested: MultiPolygon = []): CellControl => ({ ru, ua: [], contested, front: [] });
const sums = (pieces: ChangePiece[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of pieces) out[`${p.from}>${p.to}`] = (out[`${p.from}>${p.to}`] ?? 0) + p.km2;
  return out;
};

test('planar helpers: a point inside a polygon with a hole, and its area', () => {
  const poly = [box(35, 48, 35.4, 48.2), box(35.1, 48.05, 35.3, 48.15, true)];
  assert.ok(Math.abs(planarArea([poly]) - (0.08 - 0.02)) < 1e-12);
  const p = interiorPoint(poly)!;
  assert.ok(containsPoint([poly], p[0], p[1]), `${p} inside`);
  assert.ok(!containsPoint([poly], 35.2, 48.1), 'the hole is outside');
  assert.equal(interiorPoint([Float64Array.of(35, 48, 35.1, 48, 35, 48)]), undefined);
});

test('transitions from differing outlines: a front that moved, ground held on both sides of a shared edge, contested ground', async () => {
  const geos = await getGeos();
  const cases: [string, CellControl | undefined, CellControl | undefined][] = [
    ['moved', cell([[box(35, 48, 35.3, 48.4)]]), cell([[box(35, 48, 35.2, 48.4)], [box(35.35, 48.1, 35.45, 48.2)]])],
    // the same edge, with the ground on its other side at the second date
    ['flipped', cell([[box(35, 48, 35.2, 48.4)]]), cell([[box(35.2, 48, 35.4, 48.4, true)]])],
    // a cell-edge stretch shared only in part (collinear, different vertices), and contested ground
    ['contested', cell([[box(35, 48, 35.3, 48.3)]], [[box(35.3, 48, 35.4, 48.3)]]), cell([[box(35, 48, 35.25, 48.2)]], [[box(35.25, 48, 35.4, 48.2)], [box(35, 48.2, 35.1, 48.3)]])],
    ['appeared', undefined, cell([[box(35, 48, 35.1, 48.1)]])],
    ['same', cell([[box(35, 48, 35.1, 48.1)]]), cell([[box(35, 48, 35.1, 48.1, true)]])],
  ];
  for (const [name, a, b] of cases) {
    const fast = geos.run((s) => boundaryTransitions(s, 12345, a, b));
    assert.ok(fast, `${name}: the faces account for the change`);
    const got = sums(fast), want = sums(geos.run((s) => overlayTransitions(s, 12345, a, b)));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), name);
    for (const k of Object.keys(want)) assert.ok(Math.abs(got[k]! - want[k]!) < 1e-6 * want[k]!, `${name} ${k}: ${got[k]} against ${want[k]} km²`);
    if (name === 'flipped') assert.deepEqual(Object.keys(got).sort(), ['RU>UA', 'UA>RU']);
    if (name === 'same') assert.deepEqual(fast, []);
    // stored and read back: the same transitions, their ground rounded to 1e-7°
    const back = decodeTransitions(encodeTransitions(fast), 12345);
    assert.deepEqual(back.map((p) => [p.from, p.to, p.km2, p.cell]), fast.map((p) => [p.from, p.to, p.km2, p.cell]));
    for (const [i, p] of back.entries()) assert.ok(Math.abs(planarArea(p.mp) - planarArea(fast[i]!.mp)) < 1e-9);
  }
});
