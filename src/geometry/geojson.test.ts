import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFeatureCollection } from './geojson.js';
import { digestSnapshot } from '../sources/digest.js';

const doc = (props: string): string =>
  `{"type":"FeatureCollection","features":[{"type":"Feature","properties":${props},"geometry":{"type":"Point","coordinates":[37.5,48.25,0]}}]}`;

test('a file read as bytes parses to the same features as its text: Cyrillic, non-ASCII keys, BOM, escapes, bad UTF-8', () => {
  const cases = [
    doc('{"name":"Статус невідомий /// Unknown status","ключ":["Бахмут",{"село":"Кліщіївка"}],"n":1}'),
    '\ufeff' + doc('{"name":"Окупований /// Occupied"}'),
    doc('{"name":"\\u0411ахмут","plain":"ascii"}'),
    doc('{"__proto__":"Київ","x":null}'),
  ];
  for (const text of cases) {
    const bytes = Buffer.from(text, 'utf8');
    assert.deepEqual(parseFeatureCollection(bytes, 'f.geojson'), parseFeatureCollection(text, 'f.geojson'));
    const a = digestSnapshot(text, 'f.geojson'), b = digestSnapshot(bytes, 'f.geojson');
    assert.deepEqual(b.features.map((f) => [f.hash.toString('hex'), f.properties]), a.features.map((f) => [f.hash.toString('hex'), f.properties]));
    assert.equal(b.rawSha1, a.rawSha1);
    assert.equal(b.rawBytes, a.rawBytes);
  }
  // not valid UTF-8: read as text would be, with replacement characters
  const bad = Buffer.concat([
    Buffer.from('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"X'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"},"geometry":{"type":"Point","coordinates":[1,2]}}]}'),
  ]);
  assert.deepEqual(parseFeatureCollection(bad, 'bad.geojson'), parseFeatureCollection(bad.toString('utf8'), 'bad.geojson'));
  assert.equal(digestSnapshot(bad, 'bad.geojson').rawSha1, digestSnapshot(bad.toString('utf8'), 'bad.geojson').rawSha1);
  assert.match(String(parseFeatureCollection(bad, 'bad.geojson')[0]!.properties.name), /\ufffd/);
});
