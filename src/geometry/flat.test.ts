import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bboxOf } from './flat.js';

test('the bounding box covers every ring, even a "hole" drawn outside its shell', () => {
  // as in the test oblast file, where Kherson Oblast's main body is stored as a hole of an islet
  const islet = Float64Array.from([32, 46, 32.1, 46, 32.1, 46.1, 32, 46.1, 32, 46]);
  const body = Float64Array.from([33, 46.5, 35, 46.5, 35, 47.5, 33, 47.5, 33, 46.5]);
  assert.deepEqual(bboxOf([[islet, body]]), { minX: 32, minY: 46, maxX: 35, maxY: 47.5 });
});
