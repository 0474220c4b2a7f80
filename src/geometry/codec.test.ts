import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { decodeFlatCollection, decodeGeometry, encodeFlatCollection, encodeGeometry } from './codec.js';

const round7 = (x: number): number => Math.round(x * 1e7) / 1e7;
const nested = (a: Float64Array): number[][] => Array.from({ length: a.length / 2 }, (_, i) => [round7(a[2 * i]!), round7(a[2 * i + 1]!)]);

test('a flat collection is written as the same GeoJSON collection rounded to 1e-7° (byte for byte before deflate), and read back', () => {
  // coordinates with more than 7 decimals, negative steps, a hole and an empty part
  const shell = Float64Array.of(36.123456789, 47.98765432, 36.5, 47.98765432, 36.5, 48.2, 36.123456789, 47.98765432);
  const hole = Float64Array.of(36.2, 48.0, 36.3, 48.0, 36.3, 48.1, 36.2, 48.0);
  const line = Float64Array.of(37.00000001, 48.5, 37.25, 48.49999999, 37.5, 48.75);
  const parts = [
    { type: 'MultiPolygon' as const, polygons: [[shell, hole]] },
    { type: 'MultiPolygon' as const, polygons: [] },
    { type: 'MultiLineString' as const, lines: [line] },
  ];
  const blob = encodeFlatCollection(parts);
  const viaGeoJSON = encodeGeometry({
    type: 'GeometryCollection',
    geometries: [
      { type: 'MultiPolygon', coordinates: [[nested(shell), nested(hole)]] },
      { type: 'MultiPolygon', coordinates: [] },
      { type: 'MultiLineString', coordinates: [nested(line)] },
    ],
  });
  // the flat writer stores its body as is (format 3), the GeoJSON writer deflates it (format 1)
  assert.equal(blob[0], 3);
  assert.equal(viaGeoJSON[0], 1);
  assert.deepEqual(blob.subarray(1), inflateRawSync(viaGeoJSON.subarray(1)));
  // a deflated blob of the same collection reads back the same (cells stored before format 3)
  assert.deepEqual(decodeFlatCollection(viaGeoJSON), decodeFlatCollection(blob));

  const back = decodeFlatCollection(blob);
  const asGeoJSON = decodeGeometry(blob).geometries!;
  assert.equal(back.length, 3);
  assert.equal(back[0]!.type, 'MultiPolygon');
  assert.equal(back[2]!.type, 'MultiLineString');
  // the same doubles as the GeoJSON decoder gives
  const p0 = back[0]!.type === 'MultiPolygon' ? back[0]!.polygons : [];
  assert.deepEqual(p0.map((p) => p.map((r) => nested(r))), asGeoJSON[0]!.coordinates);
  assert.deepEqual(Array.from(p0[0]![0]!), nested(shell).flat());
  const l2 = back[2]!.type === 'MultiLineString' ? back[2]!.lines : [];
  assert.deepEqual(Array.from(l2[0]!), nested(line).flat());
  assert.deepEqual(back[1], { type: 'MultiPolygon', polygons: [] });
});
