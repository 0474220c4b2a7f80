/**
 * A local HTTP server that replays the DeepStateMap API from a directory of `{id}.geojson`
 * files, with failures that tests switch on per request path:
 *
 *   GET /api/history/public        [{ id, datetime }] built from the directory listing
 *   GET /api/history/{id}/geojson  the file, streamed as is, with Content-Length
 *   GET /api/history/last          { id, datetime, map } for the newest file
 *
 * It listens on 127.0.0.1 only, on a port the OS picks; `close()` ends it and every
 * connection it holds, including the ones a 'timeout' failure left hanging.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export type FailureMode = '500' | '503' | '429' | 'timeout' | 'truncate' | 'reset';

export interface FailureRule {
  /** Which request paths (e.g. "/api/history/1648989208/geojson") the rule applies to. */
  path: RegExp | string;
  /** How many matching requests fail; later ones are served normally. */
  count: number;
  /**
   * '500', '503', '429': that status. 'timeout': accept the request and never answer.
   * 'truncate': send the full Content-Length but only half the body, then destroy the socket.
   * 'reset': destroy the connection without answering.
   */
  mode: FailureMode;
  /** Retry-After in seconds, sent with '429' (default 1) and '503' (default none). */
  retryAfter?: number;
}

export interface ReplayServerOptions {
  /** Directory of `{id}.geojson` files. */
  dir: string;
  failFirst?: FailureRule | FailureRule[];
}

export interface ReplayServer {
  /** Base URL, e.g. "http://127.0.0.1:40123", without a trailing slash. */
  url: string;
  /** Path (with query) of every request received, in order. */
  requests: string[];
  /** How many requests had a path matching `path` (a regex, or an exact path). */
  count(path: RegExp | string): number;
  /** Replaces the failure rules (their counts start afresh); no argument clears them. */
  setFailures(failFirst?: FailureRule | FailureRule[]): void;
  close(): Promise<void>;
}

interface ActiveRule extends FailureRule {
  remaining: number;
}

function matches(path: RegExp | string, url: string): boolean {
  return typeof path === 'string' ? path === url : new RegExp(path.source, path.flags.replace('g', '')).test(url);
}

const FILE = /^(\d+)\.geojson$/;

async function listIds(dir: string): Promise<number[]> {
  const ids: number[] = [];
  for (const name of await readdir(dir)) {
    const m = FILE.exec(name);
    if (m?.[1]) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

const iso = (id: number): string => new Date(id * 1000).toISOString();

type Body = { kind: 'buffer'; data: Buffer } | { kind: 'file'; path: string; size: number };

interface Reply {
  status: number;
  body: Body;
}

const json = (value: unknown, status = 200): Reply => ({
  status,
  body: { kind: 'buffer', data: Buffer.from(JSON.stringify(value)) },
});

async function route(dir: string, path: string): Promise<Reply> {
  if (path === '/api/history/public') {
    // Directory order, not sorted: the client must not rely on the server's order.
    const names = await readdir(dir);
    const entries = names.flatMap((name) => {
      const m = FILE.exec(name);
      return m?.[1] ? [{ id: Number(m[1]), datetime: iso(Number(m[1])) }] : [];
    });
    return json(entries);
  }
  if (path === '/api/history/last') {
    const ids = await listIds(dir);
    const id = ids[ids.length - 1];
    if (id === undefined) return json({ error: 'no versions' }, 404);
    const text = await readFile(join(dir, `${id}.geojson`));
    const head = Buffer.from(`{"id":${id},"datetime":${JSON.stringify(iso(id))},"map":`);
    return { status: 200, body: { kind: 'buffer', data: Buffer.concat([head, text, Buffer.from('}')]) } };
  }
  const m = /^\/api\/history\/(\d+)\/geojson$/.exec(path);
  if (m) {
    const file = join(dir, `${m[1]}.geojson`);
    try {
      const s = await stat(file);
      return { status: 200, body: { kind: 'file', path: file, size: s.size } };
    } catch {
      return json({ error: 'not found' }, 404);
    }
  }
  return json({ error: 'not found' }, 404);
}

function send(res: ServerResponse, reply: Reply): void {
  const length = reply.body.kind === 'file' ? reply.body.size : reply.body.data.byteLength;
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': length });
  if (reply.body.kind === 'buffer') {
    res.end(reply.body.data);
    return;
  }
  const stream = createReadStream(reply.body.path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

async function bodyBytes(body: Body): Promise<Buffer> {
  return body.kind === 'buffer' ? body.data : readFile(body.path);
}

function reset(socket: Socket): void {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

export async function startReplayServer(opts: ReplayServerOptions): Promise<ReplayServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let rules: ActiveRule[] = [];
  const setFailures = (failFirst?: FailureRule | FailureRule[]): void => {
    const list = failFirst === undefined ? [] : Array.isArray(failFirst) ? failFirst : [failFirst];
    rules = list.map((r) => ({ ...r, remaining: r.count }));
  };
  setFailures(opts.failFirst);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    requests.push(url);
    const path = url.split('?')[0] ?? url;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, json({ error: 'method not allowed' }, 405));
      return;
    }
    const rule = rules.find((r) => r.remaining > 0 && matches(r.path, path));
    if (rule) rule.remaining--;
    switch (rule?.mode) {
      case 'timeout':
        return; // never answer; close() destroys the socket
      case 'reset':
        reset(req.socket);
        return;
      case '500':
        send(res, json({ error: 'internal server error' }, 500));
        return;
      case '503':
      case '429': {
        const retryAfter = rule.retryAfter ?? (rule.mode === '429' ? 1 : undefined);
        if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
        send(res, json({ error: rule.mode === '429' ? 'too many requests' : 'unavailable' }, Number(rule.mode)));
        return;
      }
      case 'truncate': {
        const reply = await route(opts.dir, path);
        const data = await bodyBytes(reply.body);
        res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': data.byteLength });
        res.write(data.subarray(0, Math.floor(data.byteLength / 2)), () => req.socket.destroy());
        return;
      }
      case undefined:
        send(res, await route(opts.dir, path));
        return;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else send(res, json({ error: String(err) }, 500));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('replay server: no TCP address');

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    count: (path) => requests.filter((r) => matches(path, r.split('?')[0] ?? r)).length,
    setFailures,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
