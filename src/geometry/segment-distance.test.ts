import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentIndex, partsFartherThan } from './segment-distance.js';

const close = (a: ArrayLike<number>, b: number[], eps = 1e-5) => {
  assert.equal(a.length, b.length, `${Array.from(a)} vs ${b}`);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < eps, `${Array.from(a)} vs ${b}`);
};

test('distances are exact to the nearest segment, and capped at the reach', () => {
  const index = new SegmentIndex([Float64Array.of(0, 0, 10, 0, 10, 10)], 3);
  assert.equal(index.size, 2);
  assert.equal(index.distance(5, 2), 2);
  assert.equal(index.distance(12, 5), 2);
  assert.ok(Math.abs(index.distance(11, -1) - Math.SQRT2) < 1e-12);
  assert.equal(index.distance(5, 5), 3); // 5 away from both: beyond the reach
  assert.equal(new SegmentIndex([], 3).distance(0, 0), 3);
});

test('a line is cut where it comes within the distance, and crossings are exact', () => {
  const index = new SegmentIndex([Float64Array.of(5, -1, 5, 1)], 3);
  const parts = partsFartherThan([Float64Array.of(0, 0, 10, 0)], index, 2);
  assert.equal(parts.length, 2);
  close(parts[0]!, [0, 0, 3, 0]);
  close(parts[1]!, [7, 0, 10, 0]);
});

test('vertices of a far stretch are kept, and a stretch ends where it comes near', () => {
  // the line runs 3 away from a horizontal outline, then turns up beside its vertical part
  const index = new SegmentIndex([Float64Array.of(0, 3, 10, 3, 10, 10)], 3);
  const parts = partsFartherThan([Float64Array.of(0, 0, 4, 0, 8, 0, 12, 0, 12, 5)], index, 2);
  assert.equal(parts.length, 1);
  close(parts[0]!, [0, 0, 4, 0, 8, 0, 12, 0, 12, 3]);
});

test('a line wholly near gives nothing, one wholly far comes back whole', () => {
  const index = new SegmentIndex([Float64Array.of(0, 0, 100, 0)], 3);
  assert.deepEqual(partsFartherThan([Float64Array.of(10, 1, 20, 1.5, 30, -1)], index, 2), []);
  const far = Float64Array.of(10, 5, 20, 6, 30, 5);
  close(partsFartherThan([far], index, 2)[0]!, Array.from(far));
});

test('against sampled distances: every kept point is far, every dropped point near', () => {
  // a wiggly outline and a line weaving across its 2-unit band
  const outline = Float64Array.from(Array.from({ length: 41 }, (_, i) => [i, Math.sin(i / 2) * 3]).flat());
  const line = Float64Array.from(Array.from({ length: 81 }, (_, i) => [i / 2, 2.5 * Math.cos(i / 3)]).flat());
  const index = new SegmentIndex([outline], 3);
  const parts = partsFartherThan([line], index, 2);
  const brute = (x: number, y: number) => {
    let best = Infinity;
    for (let i = 0; i + 3 < outline.length; i += 2) {
      const x0 = outline[i]!, y0 = outline[i + 1]!, dx = outline[i + 2]! - x0, dy = outline[i + 3]! - y0;
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
      best = Math.min(best, Math.hypot(x0 + t * dx - x, y0 + t * dy - y));
    }
    return best;
  };
  let kept = 0;
  for (const p of parts) {
    for (let i = 0; i + 3 < p.length; i += 2) {
      const mx = (p[i]! + p[i + 2]!) / 2, my = (p[i + 1]! + p[i + 3]!) / 2;
      assert.ok(brute(mx, my) >= 2 - 1e-6, `kept point ${mx},${my} is ${brute(mx, my)} away`);
      kept += Math.hypot(p[i + 2]! - p[i]!, p[i + 3]! - p[i + 1]!);
    }
  }
  // the kept length matches a fine sampling of the line
  let sampled = 0;
  for (let i = 0; i + 3 < line.length; i += 2) {
    const n = 2000;
    for (let k = 0; k < n; k++) {
      const t = (k + 0.5) / n;
      const x = line[i]! + t * (line[i + 2]! - line[i]!), y = line[i + 1]! + t * (line[i + 3]! - line[i + 1]!);
      if (brute(x, y) > 2) sampled += Math.hypot(line[i + 2]! - line[i]!, line[i + 3]! - line[i + 1]!) / n;
    }
  }
  assert.ok(kept > 1, 'some of the line is far');
  assert.ok(Math.abs(kept - sampled) < 1e-3 * sampled + 1e-3, `kept ${kept}, sampled ${sampled}`);
});
