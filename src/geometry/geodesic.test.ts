import { test } from 'node:test';
import assert from 'node:assert/strict';
import geodesicLib from 'geographiclib-geodesic';
import { lineLengthKm } from './geodesic.js';

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
