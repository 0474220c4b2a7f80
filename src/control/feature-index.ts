/**
 * Feature indexes (control/engine.ts FeatureIndex) as stored in the database: the cells a
 * feature covers in Ukraine, in increasing order, each as a varint step from the previous id and
 * its piece's 20-byte SHA-1; then a flag byte and, when set, the SHA-1 of its part inside Russia.
 * About 50 bytes per feature on the DeepStateMap history.
 */
import { ByteReader, ByteWriter } from '../util/bytes.js';
import type { FeatureIndex } from './engine.js';

const HASH_BYTES = 20;

export function encodeFeatureIndex(index: FeatureIndex): Buffer {
  const w = new ByteWriter(16 + index.cells.size * (HASH_BYTES + 2));
  const ids = [...index.cells.keys()].sort((a, b) => a - b);
  w.uvarint(ids.length);
  let prev = 0;
  for (const id of ids) {
    w.uvarint(id - prev);
    prev = id;
    w.bytes(hashBytes(index.cells.get(id)!));
  }
  w.uvarint(index.russiaHash ? 1 : 0);
  if (index.russiaHash) w.bytes(hashBytes(index.russiaHash));
  return w.result();
}

export function decodeFeatureIndex(blob: Buffer): FeatureIndex {
  const r = new ByteReader(blob);
  const n = r.uvarint();
  const cells = new Map<number, string>();
  let id = 0;
  for (let i = 0; i < n; i++) {
    id += r.uvarint();
    cells.set(id, r.bytes(HASH_BYTES).toString('base64'));
  }
  const russiaHash = r.uvarint() ? r.bytes(HASH_BYTES).toString('base64') : '';
  if (!r.done) throw new Error('feature index: trailing bytes');
  return { cells, russiaHash };
}

function hashBytes(base64: string): Buffer {
  const b = Buffer.from(base64, 'base64');
  if (b.length !== HASH_BYTES) throw new Error(`feature index: a piece hash of ${b.length} bytes`);
  return b;
}
