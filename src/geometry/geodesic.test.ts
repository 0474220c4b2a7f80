import { test } from 'node:test';
import assert from 'node:assert/strict';
import geodesicLib from 'geographiclib-geodesic';
import { lineLengthKm, polygonAreaM2, ringAreaM2 } from './geodesic.js';

const WGS84 = geodesicLib.Geodesic.WGS84;
const inverseKm = (lon1: number, lat1: number, lon2: number, lat2: number): number => (WGS84.Inverse(lat1, lon1, lat2, lon2, geodesicLib.Geodesic.DISTANCE).s12 ?? 0) / 1000;

test('short segments, measured in closed form, agree with GeographicLib to a few parts in a billion (nanometres below a metre)', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  let worst = 0;
  for (let k = 0; k < 20000; k++) {
    const lon = 20 + rnd() * 30, lat = 40 + rnd() * 18;
    // up to the closed form's limit of 0.01° either way, down to centimetres
    const scale = 10 ** -(rnd() * 5);
    const dLon = (rnd() * 2 - 1) * 0.01 * scale, dLat = (rnd() * 2 - 1) * 0.01 * scale;
    const got = lineLengthKm(Float64Array.of(lon, lat, lon + dLon, lat + dLat));
    const want = inverseKm(lon, lat, lon + dLon, lat + dLat);
    // GeographicLib's own round-off is some nanometres: on centimetre segments, compare absolutely
    worst = Math.max(worst, Math.abs(got - want) / Math.max(want, 1e-3));
  }
  assert.ok(worst < 5e-9, `worst difference ${worst} (relative, or in metres on segments under 1 m)`);
});

test('long segments go to GeographicLib, and a line is the sum of its segments', () => {
  const line = Float64Array.of(30, 50, 30.005, 50.003, 31, 50.5, 37.8, 48.0);
  const want = inverseKm(30, 50, 30.005, 50.003) + inverseKm(30.005, 50.003, 31, 50.5) + inverseKm(31, 50.5, 37.8, 48.0);
  assert.ok(Math.abs(lineLengthKm(line) - want) < 1e-9 * want);
  assert.equal(lineLengthKm(Float64Array.of(30, 50)), 0);
});

/** A closed ring of n vertices around a centre, with radii varying by the seed (degrees). */
function jaggedRing(lon: number, lat: number, n: number, r: number, rnd: () => number): Float64Array {
  const ring = new Float64Array(2 * n + 2);
  for (let i = 0; i < n; i++) {
    const rr = r * (0.5 + rnd());
    ring[2 * i] = lon + rr * Math.cos((2 * Math.PI * i) / n) * 1.5;
    ring[2 * i + 1] = lat + rr * Math.sin((2 * Math.PI * i) / n);
  }
  ring[2 * n] = ring[0]!;
  ring[2 * n + 1] = ring[1]!;
  return ring;
}

test('ring areas with short edges in closed form agree with GeographicLib\'s PolygonArea to under 0.02 m² per edge', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let k = 0; k < 300; k++) {
    const lon = 22 + rnd() * 25, lat = 44 + rnd() * 10;
    // from rings of short edges only to rings of long edges only, either orientation
    const n = 8 + Math.floor(rnd() * 800), r = 10 ** (-3 + rnd() * 3);
    let ring = jaggedRing(lon, lat, n, r, rnd);
    if (rnd() < 0.5) ring = Float64Array.from({ length: ring.length }, (_, i) => ring[ring.length - 2 * Math.floor(i / 2) - 2 + (i % 2)]!);
    const got = ringAreaM2(ring), want = polygonAreaM2(ring);
    assert.ok(Math.abs(got - want) < 0.02 * n + 1e-9 * want, `ring of ${n} edges, radius ${r.toFixed(4)}°: ${got} m² against ${want} m²`);
  }
});

test('cells\' sides along meridians and parallels: the same areas as PolygonArea', () => {
  // a 0.5° cell, a clipped one with a ragged edge, and a strip two cells wide
  const rings = [
    Float64Array.of(35, 48, 35.5, 48, 35.5, 48.5, 35, 48.5, 35, 48),
    Float64Array.of(35, 48, 35.5, 48, 35.5, 48.5, 35.3, 48.5, 35.3021, 48.4987, 35.2, 48.3, 35, 48.31, 35, 48),
    Float64Array.of(30, 50, 31, 50, 31, 50.5, 30, 50.5, 30, 50),
  ];
  for (const ring of rings) {
    const got = ringAreaM2(ring), want = polygonAreaM2(ring);
    assert.ok(Math.abs(got - want) < 0.01, `${got} m² against ${want} m²`);
    // the same edge again (from the memo of parallels) gives the same area
    assert.equal(ringAreaM2(ring), got);
  }
});

test('a ring round a pole, or across the antimeridian, is left to PolygonArea', () => {
  const polar = Float64Array.from([0, 85, 90, 85, 180, 85, -90, 85, 0, 85].flatMap((v, i, a) => (i % 2 ? [] : [v, a[i + 1]!])));
  assert.equal(ringAreaM2(polar), polygonAreaM2(polar));
  const across = Float64Array.of(179.995, 10, -179.995, 10, -179.995, 10.005, 179.995, 10.005, 179.995, 10);
  assert.equal(ringAreaM2(across), polygonAreaM2(across));
  assert.ok(ringAreaM2(across) > 0.5e6 && ringAreaM2(across) < 0.7e6);
});
