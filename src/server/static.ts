/**
 * The web app as Vite builds it into dist/web: index.html at /, and its assets. Vite puts a
 * content hash in every asset's name (assets/index-B3x9_aQz.js), so those are cached for a year
 * as immutable; index.html and unhashed files are revalidated by ETag on every load, so a new
 * build shows up at once.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rendered } from './cache.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.pbf': 'application/x-protobuf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};
/** Types worth gzipping; images and fonts are compressed already. */
const COMPRESSIBLE = /^(text\/|application\/(json|geo\+json|wasm|x-protobuf)|image\/svg)/;

/** Vite's default asset names: `[name]-[hash].[ext]`, the hash 8 url-safe base64 characters. */
const HASHED = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** dist/web of this package, from src/server (tsx) or dist/server (built). */
export function defaultWebDir(): string {
  return resolve(fileURLToPath(new URL('../..', import.meta.url)), ...(import.meta.url.includes('/dist/server/') ? ['web'] : ['dist', 'web']));
}

export interface StaticFile {
  rendered: Rendered;
  etag: string;
  cacheControl: string;
  compressible: boolean;
}

export class WebApp {
  private readonly files = new Map<string, { mtimeMs: number; size: number; file: StaticFile }>();
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get built(): boolean {
    return existsSync(join(this.root, 'index.html'));
  }

  /** The file for a URL path, or undefined when there is none (a 404). */
  file(pathname: string): StaticFile | undefined {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
    } catch {
      return undefined;
    }
    if (rel.includes('\0') || rel.split('/').some((p) => p === '..' || p.startsWith('.') && p.length > 1)) return undefined;
    const path = resolve(this.root, '.' + rel);
    if (!path.startsWith(this.root + sep)) return undefined;
    let st;
    try {
      st = statSync(path);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined;
    const known = this.files.get(path);
    if (known && known.mtimeMs === st.mtimeMs && known.size === st.size) return known.file;
    const body = readFileSync(path);
    const type = TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
    const hashed = rel.startsWith('/assets/') && HASHED.test(rel);
    const file: StaticFile = {
      rendered: { body, type },
      etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
      cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      compressible: COMPRESSIBLE.test(type),
    };
    this.files.set(path, { mtimeMs: st.mtimeMs, size: st.size, file });
    return file;
  }
}
