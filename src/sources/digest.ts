/**
 * A snapshot's features as the store identifies them: each feature's canonical text (its
 * properties and geometry as JSON) and that text's SHA-1, which is the feature's identity across
 * snapshots. Shared by the serial import and the parallel readers (digest-worker.ts), so both
 * give a feature the same hash.
 */
import { createHash } from 'node:crypto';
import { encodeGeometry } from '../geometry/codec.js';
import { parseFeatureCollection, polygonsOf, type InputFeature } from '../geometry/geojson.js';
import { bboxOf } from '../geometry/flat.js';

export interface DigestedFeature {
  hash: Buffer;
  input: InputFeature;
  /** The properties as canonical JSON, as stored. */
  properties: string;
}

/** A feature in the form the store keeps it. */
export interface EncodedFeature {
  geomType: string;
  properties: string;
  geom: Buffer;
  bbox: [number, number, number, number];
}

export interface DigestedSnapshot {
  features: DigestedFeature[];
  rawBytes: number;
  rawSha1: string;
}

export function digestSnapshot(text: string, origin: string): DigestedSnapshot {
  const features = parseFeatureCollection(text, origin).map((input): DigestedFeature => {
    const properties = JSON.stringify(input.properties);
    const hash = createHash('sha1').update(`${properties}\n${JSON.stringify(input.geometry)}`).digest();
    return { hash, input, properties };
  });
  return { features, rawBytes: Buffer.byteLength(text), rawSha1: createHash('sha1').update(text).digest('hex') };
}

export function encodeFeature(f: DigestedFeature): EncodedFeature {
  const polys = polygonsOf(f.input.geometry);
  const b = polys.length ? bboxOf(polys) : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  return { geomType: f.input.geometry.type, properties: f.properties, geom: encodeGeometry(f.input.geometry), bbox: [b.minX, b.minY, b.maxX, b.maxY] };
}
