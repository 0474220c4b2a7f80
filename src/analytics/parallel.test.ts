import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitByWeight } from './parallel.js';

test('snapshots are split into contiguous runs of about equal weight, in order, none empty', () => {
  const runs = splitByWeight([1, 1, 1, 1, 10, 1, 1, 1], 2, (x) => x);
  assert.deepEqual(runs, [[1, 1, 1, 1], [10, 1, 1, 1]]);
  assert.deepEqual(splitByWeight([100, 1, 1], 3, (x) => x), [[100], [1], [1]]);
  assert.deepEqual(splitByWeight([3, 3, 3, 3], 1, (x) => x), [[3, 3, 3, 3]]);
  const items = Array.from({ length: 1000 }, (_, i) => 1 + i / 100);
  const parts = splitByWeight(items, 2, (x) => x);
  assert.deepEqual(parts.flat(), items);
  const sums = parts.map((p) => p.reduce((a, b) => a + b, 0));
  assert.ok(Math.abs(sums[0]! - sums[1]!) <= 11, `${sums}`);
});
