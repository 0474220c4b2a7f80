/**
 * `frontline serve`: the web app and the read-only /api/v1 over node:http.
 *
 * Requests are matched against the endpoint declarations (api.ts), validated by them
 * (params.ts), answered from the response cache when the ETag is known, and compressed when
 * the client accepts gzip. Every error becomes `{"error": "…"}` here and nowhere else.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { acceptsGzip, gzipped, ResponseCache, UrlAliases, type Rendered } from './cache.js';
import { API_REVISION, ApiData } from './data.js';
import { mediaTypeOf, type ApiContext, type CacheClass, type Endpoint } from './endpoint.js';
import { errorReply, notFound } from './errors.js';
import { openApiDocument } from './openapi.js';
import { parseParams } from './params.js';
import { WebApp } from './static.js';
import { API_ENDPOINTS } from './routes.js';

export interface ServerOptions {
  /** Path of the SQLite database (opened read-only). */
  db: string;
  /** The built web app (dist/web); its absence only makes / a 404. */
  webDir: string;
  /** Where internal errors are reported (stderr in the CLI). */
  log: (message: string) => void;
}

const CACHE_CONTROL: Record<CacheClass, string> = {
  immutable: 'public, max-age=31536000, immutable',
  // a minute: the timeline's repeated questions are answered by the browser, and a sync shows soon
  latest: 'public, max-age=60',
  static: 'public, max-age=300',
};

const JSON_TYPE = 'application/json; charset=utf-8';
const hash = (s: string | Buffer): string => createHash('sha1').update(s).digest('base64url').slice(0, 24);

/** What an API request URL was found to ask for: its answer's ETag, made from this data token. */
interface Known {
  etag: string;
  token: string;
  immutable: boolean;
  cacheControl: string;
}

interface Route {
  endpoint: Endpoint;
  pattern: RegExp;
  names: string[];
}

function compile(e: Endpoint): Route {
  const names: string[] = [];
  const source = e.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, n: string) => {
    names.push(n);
    return '([^/]+)';
  });
  return { endpoint: e, pattern: new RegExp(`^${source}$`), names };
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** If-None-Match matches a strong tag or its `-gzip` variant (the same data, coded). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const base = etag.slice(1, -1);
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return v === base || v === `${base}-gzip`;
  });
}

export class FrontlineServer {
  readonly data: ApiData;
  readonly http: Server;
  private readonly routes: Route[];
  private readonly cache = new ResponseCache();
  private readonly known = new UrlAliases<Known>();
  private readonly web: WebApp;
  private readonly openapi: Rendered;
  private readonly openapiTag: string;

  constructor(private readonly opts: ServerOptions) {
    this.data = new ApiData(opts.db);
    this.data.prime();
    const ctx: ApiContext = { data: this.data };
    const endpoints = API_ENDPOINTS;
    this.routes = endpoints.map(compile);
    this.web = new WebApp(opts.webDir);
    const doc = Buffer.from(JSON.stringify(openApiDocument(endpoints, `${packageVersion()} (api ${API_REVISION})`), null, 2));
    this.openapi = { body: doc, type: JSON_TYPE };
    this.openapiTag = `"${hash(doc)}"`;
    this.http = createServer((req, res) => {
      this.handle(req, res, ctx).catch((e: unknown) => this.fail(req, res, e));
    });
  }

  listen(port: number, host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        const addr = this.http.address();
        const shown = typeof addr === 'object' && addr ? addr : { address: host, port };
        const h = shown.address.includes(':') ? `[${shown.address}]` : shown.address;
        resolve(`http://${h}:${shown.port}/`);
      });
    });
  }

  /** Stops accepting connections, ends idle keep-alive ones, and closes the database. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.http.close(() => {
        this.data.close();
        resolve();
      });
      this.http.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, ctx: ApiContext): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return this.error(req, res, 405, `method ${req.method} not allowed: the API is read-only (GET, HEAD)`);
    }
    const raw = req.url ?? '/';
    if (raw.startsWith('/api/')) {
      // a URL answered before, with the data unchanged since: straight from the cache
      this.data.refresh();
      const k = this.known.get(raw);
      if (k && k.token === (k.immutable ? this.data.tokens.model : this.data.tokens.latest)) {
        const rendered = this.cache.peek(k.etag);
        if (rendered) return this.send(req, res, rendered, k.etag, k.cacheControl, true, true);
      }
    }
    const url = new URL(raw, 'http://localhost');
    if (url.pathname === '/openapi.json') {
      return this.send(req, res, this.openapi, this.openapiTag, CACHE_CONTROL.static, true, true);
    }
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      return this.api(req, res, url, ctx);
    }
    const file = this.web.file(url.pathname);
    if (!file) {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        return this.error(req, res, 404, `the web app is not built: ${this.web.root}/index.html is missing (the API is at /api/v1/, its description at /openapi.json)`);
      }
      return this.error(req, res, 404, `no such file: ${url.pathname}`);
    }
    return this.send(req, res, file.rendered, file.etag, file.cacheControl, file.compressible);
  }

  private async api(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ApiContext): Promise<void> {
    let route: Route | undefined, m: RegExpExecArray | null = null;
    for (const r of this.routes) {
      m = r.pattern.exec(url.pathname);
      if (m) { route = r; break; }
    }
    if (!route || !m) throw notFound(`no such endpoint: ${url.pathname} (the API is described at /openapi.json)`);
    const path: Record<string, string> = {};
    route.names.forEach((n, i) => {
      try {
        path[n] = decodeURIComponent(m[i + 1]!);
      } catch {
        throw notFound(`no such endpoint: ${url.pathname}`);
      }
    });
    const e = route.endpoint;
    const params = parseParams(e.params, url.searchParams, path, e.exactlyOne);
    this.data.refresh();
    const token = e.cache === 'immutable' ? this.data.tokens.model : this.data.tokens.latest;
    const canonical = [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
    const etag = `"${hash(`${token}|${url.pathname}|${canonical}`)}"`;
    if (matches(req.headers['if-none-match'], etag)) return this.notModified(res, etag, CACHE_CONTROL[e.cache]);
    const type = mediaTypeOf(e, params) === 'application/geo+json' ? 'application/geo+json; charset=utf-8' : JSON_TYPE;
    const rendered = await this.cache.get(etag, async () => ({ body: Buffer.from(JSON.stringify(await e.handle(params, ctx))), type }));
    if (req.url) this.known.set(req.url, { etag, token, immutable: e.cache === 'immutable', cacheControl: CACHE_CONTROL[e.cache] });
    return this.send(req, res, rendered, etag, CACHE_CONTROL[e.cache]);
  }

  private notModified(res: ServerResponse, etag: string, cacheControl: string, cors = false): void {
    res.writeHead(304, { ETag: etag, 'Cache-Control': cacheControl, Vary: 'Accept-Encoding', ...(cors && { 'Access-Control-Allow-Origin': '*' }) });
    res.end();
  }

  private send(req: IncomingMessage, res: ServerResponse, r: Rendered, etag: string, cacheControl: string, compressible = true, cors = false): void | Promise<void> {
    const gz = compressible && acceptsGzip(req.headers['accept-encoding']) ? gzipped(r) : undefined;
    // the coded body is another representation, so it gets its own strong tag
    const tag = gz ? `${etag.slice(0, -1)}-gzip"` : etag;
    if (matches(req.headers['if-none-match'], etag)) return this.notModified(res, tag, cacheControl, cors);
    if (gz instanceof Promise) return gz.then((body) => this.write(req, res, r.type, body, tag, cacheControl, true, cors));
    this.write(req, res, r.type, gz ?? r.body, tag, cacheControl, gz !== undefined, cors);
  }

  private write(req: IncomingMessage, res: ServerResponse, type: string, body: Buffer, etag: string, cacheControl: string, gzip: boolean, cors: boolean): void {
    const headers: Record<string, string | number> = {
      'Content-Type': type,
      'Content-Length': body.length,
      ETag: etag,
      'Cache-Control': cacheControl,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
    };
    if (gzip) headers['Content-Encoding'] = 'gzip';
    if (cors) headers['Access-Control-Allow-Origin'] = '*';
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private error(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = Buffer.from(JSON.stringify({ error: message }));
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': body.length, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    const r = errorReply(e);
    if (r.internal !== undefined) {
      this.opts.log(`frontline serve: ${req.method} ${req.url} failed: ${(r.internal as Error)?.stack ?? String(r.internal)}`);
    }
    this.error(req, res, r.status, r.message);
  }
}
