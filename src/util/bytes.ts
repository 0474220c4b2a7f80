/**
 * Growable byte writer and its reader: unsigned and zig-zag varints, float64 and raw bytes.
 * The compact encodings in the database (geometry, feature indexes, feature lists) use them.
 */
export class ByteWriter {
  private buf: Buffer;
  len = 0;

  // not zero-filled: only the bytes written are ever read back (view, result), and clearing
  // memory that is written next anyway was most of what encoding a small geometry cost
  constructor(initialSize = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }

  svarint(v: number): void {
    this.uvarint(v < 0 ? -2 * v - 1 : 2 * v);
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.len);
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The bytes written, in the writer's own buffer (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** The bytes written (a copy, so the writer's buffer is not kept alive). */
  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

export class ByteReader {
  off = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.off >= this.buf.length;
  }

  uvarint(): number {
    let v = 0, mul = 1, b: number;
    do {
      b = this.buf[this.off++]!;
      v += (b & 0x7f) * mul;
      mul *= 0x80;
    } while (b & 0x80);
    return v;
  }

  svarint(): number {
    const u = this.uvarint();
    return u % 2 ? -(u + 1) / 2 : u / 2;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.off);
    this.off += 8;
    return v;
  }

  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return b;
  }
}
