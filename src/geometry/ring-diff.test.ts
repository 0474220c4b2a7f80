import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter } from '../util/bytes.js';
import { readRings, writeRings, type IntMultiPolygon, type IntRing } from './ring-diff.js';

/** A closed ring through these points. */
const ring = (...xy: number[]): IntRing => Int32Array.from([...xy, xy[0]!, xy[1]!]);
/** A ring of n vertices round a circle, as a reference to copy from. */
const circle = (n: number, r: number, cx = 0, cy = 0): IntRing => {
  const xy: number[] = [];
  for (let i = 0; i < n; i++) xy.push(Math.round(cx + r * Math.cos((2 * Math.PI * i) / n)), Math.round(cy + r * Math.sin((2 * Math.PI * i) / n)));
  return ring(...xy);
};
const open = (r: IntRing): number[] => Array.from(r.subarray(0, r.length - 2));

function roundTrip(layers: IntMultiPolygon[], refs: IntRing[]): { back: IntMultiPolygon[]; bytes: number } {
  const w = new ByteWriter(64);
  writeRings(w, layers, refs);
  const data = w.result();
  const back = readRings(new ByteReader(data), refs, data.length);
  return { back, bytes: data.length };
}

test('rings coded against reference rings read back vertex for vertex', () => {
  const land = circle(400, 5_000_000, 305_000_000, 485_000_000);
  const old = circle(300, 2_000_000, 306_000_000, 486_000_000);
  const o = open(old), l = open(land);
  // a new version: most of the old ring from another start, a moved stretch, part of the coast backwards
  const moved = [...o.slice(40, 400), 306_123_456, 486_654_321, 306_123_999, 486_654_000, ...o.slice(410, 600), ...o.slice(0, 40)];
  const coast = [...l.slice(0, 100).reverse().flatMap((_, i, a) => (i % 2 === 0 ? [a[i + 1]!, a[i]!] : [])), 305_000_001, 485_000_001];
  const layers: IntMultiPolygon[] = [
    [[ring(...moved), old], [ring(...coast)]],
    [],
    [[ring(1, 2, 3, 4, 5, 7)]],
  ];
  const { back, bytes } = roundTrip(layers, [old, land]);
  assert.deepEqual(back, layers);
  const plain = layers.flat(2).reduce((n, r) => n + r.length, 0) * 4;
  assert.ok(bytes * 10 < plain, `${bytes} bytes coded for ${plain} bytes of coordinates`);
  // with nothing to copy from, the same rings are coded as new vertices
  assert.deepEqual(roundTrip(layers, []).back, layers);
});

test('runs of rings the same as the reference cost a byte each; open rings are refused', () => {
  const refs = Array.from({ length: 50 }, (_, i) => circle(20, 1000, i * 5000, 0));
  const { back, bytes } = roundTrip([refs.slice(10, 40).map((r) => [r])], refs);
  assert.deepEqual(back, [refs.slice(10, 40).map((r) => [r])]);
  assert.ok(bytes < 2 + 30 * 2 + 4, `${bytes} bytes`);
  assert.throws(() => writeRings(new ByteWriter(), [[[Int32Array.of(0, 0, 1, 0, 1, 1, 0, 1)]]], []), /not closed/);
});

test('data that does not fit the reference rings is refused, not read as something else', () => {
  const refs = [circle(50, 1000)];
  const w = new ByteWriter();
  writeRings(w, [[[ring(...open(refs[0]!).slice(0, 60), 7, 7)]]], refs);
  const data = w.result();
  assert.throws(() => readRings(new ByteReader(data), [], data.length), /damaged/);
  assert.throws(() => readRings(new ByteReader(data.subarray(0, data.length - 3)), refs, data.length - 3), /damaged/);
});
