/**
 * A file of flat multipolygons that loads in one read: data the project ships and every command
 * needs (the borders and their cells) would otherwise cost a JSON parse at each start-up.
 *
 * Layout: uint32 header length, the header (JSON: the caller's fields plus each multipolygon's
 * ring vertex counts), padding to 8 bytes, then every vertex as two little-endian float64 (x, y),
 * multipolygon after multipolygon, ring after ring. Not compressed: the rings are views into the
 * file's bytes, and the doubles are exactly the ones written.
 */
import type { MultiPolygon } from './flat.js';

const START_ALIGN = 8;

export function encodeFlatFile(header: Record<string, unknown>, mps: MultiPolygon[]): Buffer {
  const rings = mps.map((mp) => mp.map((p) => p.map((r) => r.length / 2)));
  const head = Buffer.from(JSON.stringify({ ...header, rings }));
  const start = Math.ceil((4 + head.length) / START_ALIGN) * START_ALIGN;
  let n = 0;
  for (const mp of mps) for (const p of mp) for (const r of p) n += r.length;
  const out = Buffer.alloc(start + n * 8);
  out.writeUInt32LE(head.length, 0);
  head.copy(out, 4);
  let at = start;
  for (const mp of mps) for (const p of mp) for (const r of p) for (const x of r) at = out.writeDoubleLE(x, at);
  return out;
}

export function decodeFlatFile<H>(file: Buffer, origin: string): { header: H; mps: MultiPolygon[] } {
  const headLength = file.readUInt32LE(0);
  const header = JSON.parse(file.toString('utf8', 4, 4 + headLength)) as H & { rings: number[][][] };
  const start = Math.ceil((4 + headLength) / START_ALIGN) * START_ALIGN;
  // a typed-array view needs an aligned offset; readFileSync's buffers of this size are, else copy
  const bytes = (file.byteOffset + start) % 8 === 0 ? file : Buffer.from(file);
  const all = new Float64Array(bytes.buffer, bytes.byteOffset + start, (bytes.length - start) / 8);
  let at = 0;
  const mps = header.rings.map((mp) => mp.map((p) => p.map((count) => {
    const ring = all.subarray(at, at + count * 2);
    at += count * 2;
    return ring;
  })));
  if (at !== all.length) throw new Error(`${origin}: the coordinates do not match the header (file damaged?)`);
  return { header, mps };
}
