/** The compact form of /control-cells (web/src/delta.ts): decoding by hand-made examples, no server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeCells, type DeltaCells } from '../web/src/delta.js';

test('a cell decodes to the GeoJSON features: rings closed again, holes kept, the front last', () => {
  const body: DeltaCells = {
    format: 'delta',
    scale: 1e6,
    cells: [
      {
        cell: 'a',
        // a 0.5° × 0.25° square with a square hole, then the contested strip and the front
        RU: [[[37500000, 48000000, 500000, 0, 0, 250000, -500000, 0], [37600000, 48100000, 0, 10000, 10000, 0, 0, -10000]]],
        contested: [[[38000000, 48000000, 123, 0, 0, 456, -123, 0]]],
        front: [[37512345, 48234567, 1204, -873, -988, 1020], [37500001, 48000001, 0, 0]],
      },
      { cell: 'b' },
    ],
  };
  const cells = decodeCells(body);
  assert.deepEqual([...cells.keys()], ['a', 'b']);
  assert.deepEqual(cells.get('b'), []);
  const [ru, contested, front] = cells.get('a')!;
  assert.deepEqual(ru, {
    type: 'Feature',
    properties: { cell: 'a', side: 'RU' },
    geometry: {
      type: 'MultiPolygon',
      coordinates: [[
        [[37.5, 48], [38, 48], [38, 48.25], [37.5, 48.25], [37.5, 48]],
        [[37.6, 48.1], [37.6, 48.11], [37.61, 48.11], [37.61, 48.1], [37.6, 48.1]],
      ]],
    },
  });
  assert.deepEqual(contested!.properties, { cell: 'a', side: 'contested' });
  assert.deepEqual(contested!.geometry.coordinates, [[[[38, 48], [38.000123, 48], [38.000123, 48.000456], [38, 48.000456], [38, 48]]]]);
  // lines stay open; every value is the integer over the scale, as the GeoJSON form rounds
  assert.deepEqual(front, {
    type: 'Feature',
    properties: { cell: 'a', kind: 'front' },
    geometry: { type: 'MultiLineString', coordinates: [[[37.512345, 48.234567], [37.513549, 48.233694], [37.512561, 48.234714]], [[37.500001, 48.000001], [37.500001, 48.000001]]] },
  });
  assert.equal(cells.get('a')!.length, 3);
});

test('anything but the compact form is refused', () => {
  assert.throws(() => decodeCells({ type: 'FeatureCollection', features: [] } as unknown as DeltaCells), /not the compact form/);
  assert.throws(() => decodeCells({ format: 'delta', scale: 0, cells: [] } as DeltaCells), /not the compact form/);
});
