/**
 * A file of flat multipolygons that loads in one read: data the project ships and every command
 * needs (the borders and their cells) would otherwise cost a JSON parse at each start-up.
 *
 * Layout: uint32 header length, the header (JSON: the caller's fields plus each multipolygon's
 * ring vertex counts), padding to 8 bytes, then every vertex as two little-endian float64 (x, y),
 * multipolygon after multipolygon, ring after ring. Not compressed: the rings are views into the
 * file's bytes, and the doubles are exactly the ones written.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
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

/** Where the coordinates start: after the header, aligned for a Float64Array view. */
const coordinatesStart = (headLength: number): number => Math.ceil((4 + headLength) / START_ALIGN) * START_ALIGN;

/** The rings of one multipolygon, as views into `all` from `at` (vertex counts per ring); returns where the next starts. */
function viewRings(all: Float64Array, at: number, counts: number[][]): { mp: MultiPolygon; next: number } {
  const mp = counts.map((p) => p.map((count) => {
    const ring = all.subarray(at, at + count * 2);
    at += count * 2;
    return ring;
  }));
  return { mp, next: at };
}

const damaged = (origin: string): Error => new Error(`${origin}: the coordinates do not match the header (file damaged?)`);

export function decodeFlatFile<H>(file: Buffer, origin: string): { header: H; mps: MultiPolygon[] } {
  const headLength = file.readUInt32LE(0);
  const header = JSON.parse(file.toString('utf8', 4, 4 + headLength)) as H & { rings: number[][][] };
  const start = coordinatesStart(headLength);
  // a typed-array view needs an aligned offset; readFileSync's buffers of this size are, else copy
  const bytes = (file.byteOffset + start) % 8 === 0 ? file : Buffer.from(file);
  const all = new Float64Array(bytes.buffer, bytes.byteOffset + start, (bytes.length - start) / 8);
  let at = 0;
  const mps = header.rings.map((counts) => {
    const { mp, next } = viewRings(all, at, counts);
    at = next;
    return mp;
  });
  if (at !== all.length) throw damaged(origin);
  return { header, mps };
}

/**
 * A flat file read as its multipolygons are asked for: the header at once, each multipolygon's
 * coordinates on first use (then kept). A command that needs a few of the border's cells, or
 * only the header's totals, then reads and allocates no more than that: reading the whole file
 * and making a view of every ring was ~30 ms of each command's start-up per file.
 */
export class LazyFlatFile<H> {
  readonly header: H;
  private readonly rings: number[][][];
  private readonly coordinatesStart: number;
  private readonly size: number;
  /** Per multipolygon: the byte offset of its first coordinate and its length; worked out on first use. */
  private parts?: { offset: number; bytes: number }[];
  private readonly loaded = new Map<number, MultiPolygon>();

  constructor(private readonly path: string, private readonly origin: string) {
    const fd = openSync(path, 'r');
    try {
      this.size = fstatSync(fd).size;
      const len = Buffer.alloc(4);
      readFully(fd, len, 0);
      const headLength = len.readUInt32LE(0);
      const head = Buffer.alloc(headLength);
      readFully(fd, head, 4);
      const header = JSON.parse(head.toString('utf8')) as H & { rings: number[][][] };
      this.rings = header.rings;
      this.coordinatesStart = coordinatesStart(headLength);
      this.header = header;
    } finally {
      closeSync(fd);
    }
  }

  get count(): number {
    return this.rings.length;
  }

  /**
   * Where each multipolygon's coordinates lie, checked against the file's size. Not at opening:
   * a command that reads only the header (the borders' areas and boxes) then skips walking
   * thousands of ring counts.
   */
  private layout(): { offset: number; bytes: number }[] {
    if (!this.parts) {
      let offset = this.coordinatesStart;
      const parts = this.rings.map((rings) => {
        let n = 0;
        for (const p of rings) for (const count of p) n += count * 2;
        const part = { offset, bytes: n * 8 };
        offset += part.bytes;
        return part;
      });
      if (offset !== this.size) throw damaged(this.origin);
      this.parts = parts;
    }
    return this.parts;
  }

  /** The `i`-th multipolygon (the same doubles as decodeFlatFile's). */
  get(i: number): MultiPolygon {
    let mp = this.loaded.get(i);
    if (!mp) {
      const part = this.layout()[i]!;
      const all = new Float64Array(part.bytes / 8);
      const fd = openSync(this.path, 'r');
      try {
        readFully(fd, new Uint8Array(all.buffer), part.offset);
      } finally {
        closeSync(fd);
      }
      mp = viewRings(all, 0, this.rings[i]!).mp;
      this.loaded.set(i, mp);
    }
    return mp;
  }
}

/** Fills `buf` from the file at `position` (a read may return less than asked). */
function readFully(fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new Error('unexpected end of file');
    done += n;
  }
}
