/**
 * Rendered responses, kept by their ETag so that a repeated request (the map's timeline asks for
 * the same dates and cells over and over) costs a lookup, and concurrent identical requests
 * compute once. Bounded by bytes; least recently used goes first.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb, constants } from 'node:zlib';

const gzip = promisify(gzipCb);

/** Below this size compression saves less than the header costs. */
const MIN_COMPRESS_BYTES = 1024;

export interface Rendered {
  body: Buffer;
  /** The gzip-coded body, made on first request by a client that accepts it… */
  gzip?: Promise<Buffer>;
  /** …and kept here once made, so that later responses need not wait a tick for it. */
  gzipped?: Buffer;
  type: string;
}

export class ResponseCache {
  private readonly entries = new Map<string, Rendered>();
  private readonly pending = new Map<string, Promise<Rendered>>();
  private bytes = 0;

  constructor(private readonly maxBytes = 128 * 1024 * 1024) {}

  /** The cached response for `key`, if any (and marks it recently used). */
  peek(key: string): Rendered | undefined {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /** The response for `key`, rendering it with `make` unless it is cached or being rendered. */
  async get(key: string, make: () => Promise<Rendered>): Promise<Rendered> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    let p = this.pending.get(key);
    if (!p) {
      p = make().then((r) => {
        this.put(key, r);
        return r;
      }).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return p;
  }

  private put(key: string, r: Rendered): void {
    const size = r.body.length * 1.3; // and its gzip copy
    if (size > this.maxBytes / 4) return; // one huge series must not flush everything else
    this.entries.set(key, r);
    this.bytes += size;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.body.length * 1.3;
    }
  }
}

/**
 * Request URLs exactly as clients sent them, each with what the router made of it (the ETag its
 * answer is cached under), so that a repeated request is answered without parsing, validating or
 * hashing its parameters again. Bounded by the bytes of the URLs; the oldest go first.
 */
export class UrlAliases<T> {
  private readonly map = new Map<string, T>();
  private bytes = 0;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  get(url: string): T | undefined {
    return this.map.get(url);
  }

  set(url: string, value: T): void {
    if (!this.map.has(url)) this.bytes += url.length + 100;
    this.map.set(url, value);
    for (const k of this.map.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= k.length + 100;
    }
  }
}

/** The gzip body of a rendered response, if it is worth compressing (made once, then reused). */
export function gzipped(r: Rendered): Buffer | Promise<Buffer> | undefined {
  if (r.body.length < MIN_COMPRESS_BYTES) return undefined;
  if (r.gzipped) return r.gzipped;
  r.gzip ??= gzip(r.body, { level: 6, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY }).then((b) => (r.gzipped = b));
  return r.gzip;
}

/** Accept-Encoding headers seen, with the answer (clients send a handful of distinct ones). */
const accepts = new Map<string, boolean>();

/** True when the request's Accept-Encoding allows gzip (a q=0 refuses it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let yes = accepts.get(header);
  if (yes === undefined) {
    yes = parseAcceptsGzip(header);
    if (accepts.size >= 256) accepts.clear();
    accepts.set(header, yes);
  }
  return yes;
}

function parseAcceptsGzip(header: string): boolean {
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((s) => s.trim()).find((s) => s.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}
