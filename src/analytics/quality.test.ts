import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectImplausible } from './quality.js';

const day = (d: number): string => new Date(Date.UTC(2022, 3, 1) + d * 86_400_000).toISOString();

test('a total that halves and recovers within days is flagged, its neighbours are not', () => {
  const values = [110, 111, 112, 55, 113, 114, 115].map((v, i) => ({ id: i, time: day(i), value: v * 1000 }));
  const flags = detectImplausible(values);
  assert.deepEqual([...flags.keys()], [3]);
  assert.match(flags.get(3)!, /-51% against the median 112500 km²/);
});

test('a steady advance or retreat of a few percent a week is not flagged', () => {
  const values = Array.from({ length: 60 }, (_, i) => ({ id: i, time: day(i), value: 120_000 - i * 150 }));
  assert.equal(detectImplausible(values).size, 0);
});

test('a lone snapshot has no neighbours to compare with and is not flagged', () => {
  assert.equal(detectImplausible([{ id: 1, time: day(0), value: 5 }, { id: 2, time: day(100), value: 500 }]).size, 0);
});
