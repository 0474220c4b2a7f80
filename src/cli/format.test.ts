import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grouped, km2 } from './format.js';

test('numbers are grouped as toLocaleString("en-GB") groups them', () => {
  const values = [0, 0.04, -0.04, 0.05, 0.25, -0.25, 1.05, 999.95, 1000, -1234.56, 109798.84, 7911324, 1e9 + 0.5, -0.6];
  for (let i = 0; i < 2000; i++) values.push((Math.random() - 0.3) * 10 ** Math.floor(Math.random() * 9));
  for (const v of values) {
    for (const d of [0, 1]) {
      // Intl writes "-0" for a negative number that rounds to zero; a figure of zero has no sign here
      if (v < 0 && Number(v.toFixed(d)) === 0) {
        assert.equal(grouped(v, d), (0).toFixed(d));
        continue;
      }
      assert.equal(grouped(v, d), v.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d }), `${v} with ${d} decimals`);
    }
  }
  assert.equal(km2(109798.84), '109,798.8');
  assert.equal(km2(-0.04), '0.0');
});
