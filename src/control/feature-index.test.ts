import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeFeatureIndex, encodeFeatureIndex } from './feature-index.js';

const h = (s: string): string => createHash('sha1').update(s).digest('base64');

test('feature indexes round-trip, with and without a part in Russia', () => {
  for (const index of [
    { cells: new Map([[36096, h('a')], [34090, h('b')], [36097, h('c')]]), russiaHash: h('r') },
    { cells: new Map([[4012, h('d')]]), russiaHash: '' },
    { cells: new Map<number, string>(), russiaHash: h('only in Russia') },
  ]) {
    const blob = encodeFeatureIndex(index);
    const back = decodeFeatureIndex(blob);
    assert.deepEqual([...back.cells].sort((a, b) => a[0] - b[0]), [...index.cells].sort((a, b) => a[0] - b[0]));
    assert.equal(back.russiaHash, index.russiaHash);
    // cell ids as varint steps: a cell costs its 20-byte hash and a byte or two
    assert.ok(blob.length <= 2 + index.cells.size * 23 + 21, `${blob.length} bytes`);
  }
  assert.throws(() => decodeFeatureIndex(Buffer.concat([encodeFeatureIndex({ cells: new Map(), russiaHash: '' }), Buffer.from([0])])), /trailing bytes/);
});
