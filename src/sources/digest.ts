/**
 * A snapshot's features as the store identifies them: each feature's canonical text (its
 * properties and geometry as JSON) and that text's SHA-1, which is the feature's identity across
 * snapshots. Shared by the serial import and the parallel readers (digest-worker.ts), so both
 * give a feature the same hash.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { encodeGeometry } from '../geometry/codec.js';
import { bomLength, checkFeature, jsonText, parseFeatureCollection, polygonsOf, type InputFeature } from '../geometry/geojson.js';
import { featureSpans } from './feature-spans.js';
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
  const features = parseFeatureCollection(input, origin).map(digestFeature);
  // size and SHA-1 of the text in UTF-8: the file's bytes, unless they were not valid UTF-8
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : isUtf8(input) ? input : Buffer.from(input.toString('utf8'), 'utf8');
  return { features, rawBytes: bytes.length, rawSha1: createHash('sha1').update(bytes).digest('hex') };
}

/** A feature's identity: the SHA-1 of its canonical text (properties and geometry as JSON). */
function digestFeature(input: InputFeature): DigestedFeature {
  const properties = JSON.stringify(input.properties);
  const hash = createHash('sha1').update(`${properties}\n${JSON.stringify(input.geometry)}`).digest();
  return { hash, input, properties };
}

export function encodeFeature(f: DigestedFeature): EncodedFeature {
  const polys = polygonsOf(f.input.geometry);
  const b = polys.length ? bboxOf(polys) : { minX: 0, minY: 0, maxX: 0, maxY: 0 };
  return { geomType: f.input.geometry.type, properties: f.properties, geom: encodeGeometry(f.input.geometry), bbox: [b.minX, b.minY, b.maxX, b.maxY] };
}

/** A feature as a reader digests it: `input` only when it was parsed (not recognised). */
export interface MemoFeature {
  hash: Buffer;
  properties: string;
  input?: InputFeature;
}

/**
 * Digests one reader's snapshot files, remembering each feature text by the SHA-1 of its bytes:
 * a feature repeated byte for byte from an earlier file (almost all of them, in a history) is
 * recognised from where its text lies (feature-spans.ts) without being parsed. A file in any
 * other layout, or with anything wrong in it, is digested whole by digestSnapshot, which also
 * gives its errors; either way the hashes are the same.
 */
export class FeatureMemo {
  private readonly known = new Map<string, { hash: Buffer; properties: string }>();

  digest(bytes: Buffer, origin: string): { features: MemoFeature[]; rawBytes: number; rawSha1: string } {
    const fast = isUtf8(bytes) ? this.recognise(bytes, origin) : undefined;
    if (fast) return { features: fast, rawBytes: bytes.length, rawSha1: createHash('sha1').update(bytes).digest('hex') };
    const whole = digestSnapshot(bytes, origin);
    return { ...whole, features: whole.features };
  }

  private recognise(bytes: Buffer, origin: string): MemoFeature[] | undefined {
    const from = bomLength(bytes);
    const layout = featureSpans(bytes, from);
    if (!layout) return undefined;
    try {
      // everything but the features must still be a FeatureCollection as parseFeatureCollection checks it
      const rest = Buffer.concat([bytes.subarray(from, layout.arrayStart), Buffer.from('[]'), bytes.subarray(layout.arrayEnd)]);
      if (parseFeatureCollection(rest, origin).length !== 0) return undefined;
      const out: MemoFeature[] = [];
      const learned: [string, { hash: Buffer; properties: string }][] = [];
      for (let i = 0; i < layout.spans.length; i += 2) {
        const raw = bytes.subarray(layout.spans[i]!, layout.spans[i + 1]!);
        const key = createHash('sha1').update(raw).digest('base64');
        const seen = this.known.get(key);
        if (seen) {
          out.push(seen);
          continue;
        }
        const { text, strings } = jsonText(raw);
        const f = digestFeature(checkFeature(JSON.parse(text), `${origin}: feature ${i / 2}`, strings));
        out.push(f);
        learned.push([key, { hash: f.hash, properties: f.properties }]);
      }
      // remembered only once the whole file is read, so that a failed file teaches nothing
      for (const [k, v] of learned) this.known.set(k, v);
      return out;
    } catch {
      return undefined; // digestSnapshot reads it again and reports what is wrong
    }
  }
}
