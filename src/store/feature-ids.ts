import { ByteReader, ByteWriter } from '../util/bytes.js';

/**
 * A snapshot's feature ids as stored since migration 6: in source order, each as the zig-zag
 * varint of its difference from the one before. Ids are given in order of first appearance, so
 * most steps fit one byte: a third of the four bytes per id of the first encoding.
 */
export function encodeFeatureIds(ids: number[]): Buffer {
  const w = new ByteWriter(ids.length * 2 + 8);
  let prev = 0;
  for (const id of ids) {
    w.svarint(id - prev);
    prev = id;
  }
  return w.result();
}

export function decodeFeatureIds(blob: Buffer): number[] {
  const r = new ByteReader(blob);
  const out: number[] = [];
  let id = 0;
  while (!r.done) out.push((id += r.svarint()));
  return out;
}
