import { test } from 'node:test';
import assert from 'node:assert/strict';
import { featureSpans } from './feature-spans.js';
import { digestSnapshot, FeatureMemo } from './digest.js';

const feature = (name: string, x = 30): string =>
  `{"type":"Feature","properties":{"name":${JSON.stringify(name)},"n":{"a":[1,{"b":"}"}]}},"geometry":{"type":"Polygon","coordinates":[[[${x},48],[${x + 1},48],[${x + 1},49],[${x},48]]]}}`;

test('feature spans: each element of the top-level features array, exactly, or nothing', () => {
  const feats = [feature('Бахмут'), feature('quote \\" and brace { and bracket ] in a string'), feature('escaped backslash \\\\', 31)];
  const docs = [
    `{"type":"FeatureCollection","features":[${feats.join(',')}]}`,
    `\ufeff { "features" : [ ${feats.join(' ,\n ')} ] , "type" : "FeatureCollection", "crs": {"type":"name","properties":{"name":"EPSG:4326"}} }\n`,
    `{"type":"FeatureCollection","name":{"features":[1]},"features":[${feats.join(',')}]}`,
  ];
  for (const doc of docs) {
    const b = Buffer.from(doc);
    const layout = featureSpans(b, doc.startsWith('\ufeff') ? 3 : 0);
    assert.ok(layout, doc.slice(0, 40));
    const texts = [];
    for (let i = 0; i < layout.spans.length; i += 2) texts.push(b.subarray(layout.spans[i]!, layout.spans[i + 1]!).toString());
    assert.deepEqual(texts, feats);
  }
  assert.deepEqual(featureSpans(Buffer.from('{"type":"FeatureCollection","features":[]}'))?.spans, []);
  // layouts left to the full parse
  for (const doc of [
    `{"type":"FeatureCollection","features":[${feats[0]}]`, // truncated
    `{"type":"FeatureCollection","features":[${feats[0]},]}`, // trailing comma
    `{"type":"FeatureCollection","features":[${feats[0]} ${feats[1]}]}`, // no comma
    `{"type":"FeatureCollection","features":[${feats[0]}],"features":[]}`, // twice
    `{"type":"FeatureCollection","features":[null]}`,
    `{"type":"FeatureCollection","features":{}}`,
    `[${feats[0]}]`,
    `{"type":"FeatureCollection","features":[${feats[0]}]} x`,
    '',
  ]) assert.equal(featureSpans(Buffer.from(doc)), undefined, doc.slice(-30));
});

test('a reader recognising repeated features gives the hashes of a full parse, and the same errors', () => {
  const memo = new FeatureMemo();
  const files = [
    `{"type":"FeatureCollection","features":[${feature('A')},${feature('Б')}]}`,
    `{"type":"FeatureCollection","features":[${feature('A')},${feature('В', 32)},${feature('Б')}]}`,
    `\ufeff{"features":[${feature('Б')}],"type":"FeatureCollection"}`,
  ];
  for (const [i, f] of files.entries()) {
    const bytes = Buffer.from(f);
    const got = memo.digest(bytes, `f${i}`), want = digestSnapshot(bytes, `f${i}`);
    assert.deepEqual(got.features.map((x) => [x.hash.toString('hex'), x.properties]), want.features.map((x) => [x.hash.toString('hex'), x.properties]));
    assert.equal(got.rawSha1, want.rawSha1);
    assert.equal(got.rawBytes, want.rawBytes);
  }
  // the second file: only the new feature was parsed
  const second = memo.digest(Buffer.from(files[1]!), 'again');
  assert.deepEqual(second.features.map((x) => x.input === undefined), [true, true, true]);
  for (const bad of [
    `{"type":"FeatureCollection","features":[${feature('A')},{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[1000,1],[2,2],[1,1]]]}}]}`,
    `{"type":"FeatureCollection","features":[${feature('A')},`,
    `{"type":"Feature","features":[${feature('A')}]}`,
  ]) {
    const expected = (() => { try { digestSnapshot(Buffer.from(bad), 'bad'); return 'no error'; } catch (e) { return (e as Error).message; } })();
    assert.throws(() => memo.digest(Buffer.from(bad), 'bad'), (e: Error) => e.message === expected);
  }
});
