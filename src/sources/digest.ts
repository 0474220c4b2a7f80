/**
 * A snapshot's features as the store identifies them: each feature's canonical text (its
 * properties and geometry as JSON) and that text's SHA-1, which is the feature's identity across
 * snapshots. Shared by the serial import and the parallel readers (digest-worker.ts), so both
 * give a feature the same hash.
 */
import { isUtf8 } from 'node:buffer';
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

/** A snapshot file's features, from its text or (faster, see geometry/geojson.ts jsonText) its bytes. */
export function digestSnapshot(input: string | Buffer, origin: string): DigestedSnapshot {
  const features = parseFeatureCollection(input, origin).map((f): DigestedFeature => {
    const properties = JSON.stringify(f.properties);
    const hash = createHash('sha1').update(`${properties}\n${JSON.stringify(f.geometry)}`).digest();
    return { hash, input: f, properties };
  });
  // size and SHA-1 of the text in UTF-8: the file's bytes, unless they were not valid UTF-8
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : isUtf8(input) ? input : Buffer.from(input.toString('utf8'), 'utf8');
  return { features, rawBytes: bytes.length, rawSha1: createHash('sha1').update(bytes).digest('hex') };
}

export function encodeFeature(f: DigestedFeature): EncodedFeature {
  const polys = polygonsOf(f.input.geometry);
  const b = polys.length ? bboxOf(polys) : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  return { geomType: f.input.geometry.type, properties: f.properties, geom: encodeGeometry(f.input.geometry), bbox: [b.minX, b.minY, b.maxX, b.maxY] };
}
