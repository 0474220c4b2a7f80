/**
 * HTTP API load: `frontline serve` in a child process, driven by autocannon at 100 concurrent
 * connections over loopback (both on this machine, so they share its cores).
 *
 * Scenarios, each first as one cold pass over its distinct URLs (every answer computed once; 100
 * connections, except snapshot-control: one, stepping through the timeline), then for --duration
 * seconds warm (answers from the response cache, as on a busy day): once driven by autocannon,
 * and once by wrk when Debian's `wrk` is installed. Client and server share the 2 cores:
 * autocannon, in JavaScript, spends more CPU parsing a 15 KB answer than the server spends
 * sending it, so its latencies are largely its own; wrk's are mostly the server's.
 *   area-countries, area-oblasts  /api/v1/area?at=D for every day of the history
 *   snapshot-control              /api/v1/snapshots/{id}/control for the last --snapshots snapshots
 *   control-cells                 /api/v1/control-cells?keys=…&format=delta (≤100 keys, gzip) for those
 *                                 snapshots' new keys: the compact form the map asks for while it
 *                                 plays the timeline
 *   control-cells-geojson         the same keys as GeoJSON (the default form), for comparison
 * For the control-cells scenarios it also reports the bodies' sizes (gzip and identity) over the
 * distinct URLs.
 * Prints JSON: p50/p99/max latency (ms), requests/s, non-2xx and errors per scenario and pass,
 * the server's CPU time per request (user + system, from /proc: unlike the latencies, it hardly
 * depends on what else the machine is running), and the server's resident memory at the end.
 *
 * usage: node --import tsx bench/api.ts --db PATH [--cli tsx|dist] [--duration 10] [--snapshots 60]
 *   --cli dist  run dist/cli/main.js (after npm run build) instead of src/ through tsx
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/support/data.js';

/** Keys per /control-cells request: as many as the map asks for at once (web/src/cells.ts). */
const KEYS_PER_REQUEST = 100;

interface AutocannonResult {
  latency: { p50: number; p99: number; max: number; average: number };
  requests: { average: number; total: number };
  throughput: { average: number; total: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonRequest { method?: string; path?: string; headers?: Record<string, string> }
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  timeout?: number;
  headers?: Record<string, string>;
  requests: { setupRequest: (req: AutocannonRequest) => AutocannonRequest }[];
}) => Promise<AutocannonResult>;
// autocannon ships no type declarations; the fields used are typed above
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = 100;

const { values } = parseArgs({ options: { db: { type: 'string' }, cli: { type: 'string' }, duration: { type: 'string' }, snapshots: { type: 'string' } } });
if (!values.db) {
  process.stderr.write('usage: node --import tsx bench/api.ts --db PATH [--cli tsx|dist] [--duration 10] [--snapshots 60]\n');
  process.exit(2);
}
const cli = values.cli ?? 'tsx';
const duration = Number(values.duration ?? 10);
const nSnapshots = Number(values.snapshots ?? 60);

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const args = cli === 'dist' ? ['dist/cli/main.js'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...args, 'serve', '--port', '0', '--db', values.db!], { cwd: repoRoot(), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /serving (http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.on('exit', (code) => reject(new Error(`frontline serve exited with ${code}`)));
  });
}

/** CPU time (user + system) the server process has used so far, in ms. */
function serverCpuMs(pid: number): number {
  // fields after the command name (which is in parentheses): utime and stime are the 12th and 13th
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** wrk (Debian package `wrk`), when installed: the warm passes' load generator. */
const WRK = '/usr/bin/wrk';
const hasWrk = existsSync(WRK);

/**
 * One warm pass with wrk: one client thread (the server has the other core) and CONNECTIONS
 * connections cycling through `paths` for `duration` seconds. wrk is written in C: unlike
 * autocannon, parsing the answers costs it little, so the latencies are mostly the server's.
 */
async function loadWrk(url: string, paths: string[], headers: Record<string, string>): Promise<object> {
  const dir = mkdtempSync(join(tmpdir(), 'frontline-wrk-'));
  try {
    writeFileSync(join(dir, 'paths.txt'), paths.join('\n') + '\n');
    const headerTable = Object.entries(headers).map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join(', ');
    writeFileSync(join(dir, 'paths.lua'), [
      'local paths = {}',
      `for line in io.lines(${JSON.stringify(join(dir, 'paths.txt'))}) do paths[#paths + 1] = line end`,
      'local i = 0',
      `request = function() i = i % #paths + 1; return wrk.format("GET", paths[i], { ${headerTable} }) end`,
      'done = function(s, latency, requests)',
      '  local e = s.errors',
      '  io.write(string.format(\'RESULT {"requests":%d,"seconds":%.3f,"bytes":%d,"p50":%.3f,"p99":%.3f,"max":%.3f,"mean":%.3f,"non2xx":%d,"errors":%d,"timeouts":%d}\\n\',',
      '    s.requests, s.duration / 1e6, s.bytes, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000, e.status, e.connect + e.read + e.write, e.timeout))',
      'end',
    ].join('\n'));
    const cpuBefore = serverCpuMs(child.pid!);
    const out = await new Promise<string>((resolve, reject) => {
      const p = spawn(WRK, ['-t1', `-c${CONNECTIONS}`, `-d${duration}s`, '--timeout', '10s', '-s', join(dir, 'paths.lua'), url.replace(/\/$/, '')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      p.stdout.on('data', (b: Buffer) => (text += b.toString()));
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}`))));
    });
    const m = /RESULT (\{.*\})/.exec(out);
    if (!m) throw new Error(`wrk printed no result: ${out}`);
    const r = JSON.parse(m[1]!) as { requests: number; seconds: number; bytes: number; p50: number; p99: number; max: number; mean: number; non2xx: number; errors: number; timeouts: number };
    return {
      pass: 'warm',
      tool: 'wrk',
      connections: CONNECTIONS,
      distinctUrls: paths.length,
      requests: r.requests,
      requestsPerSec: Math.round(r.requests / r.seconds),
      latencyMs: { p50: r.p50, p99: r.p99, max: r.max, mean: Math.round(r.mean * 10) / 10 },
      mbPerSec: Math.round((r.bytes / r.seconds / 1e6) * 10) / 10,
      bytesPerRequest: Math.round(r.bytes / Math.max(1, r.requests)),
      serverCpuUsPerRequest: Math.round(((serverCpuMs(child.pid!) - cpuBefore) * 1000) / Math.max(1, r.requests)),
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One autocannon run cycling through `paths`: once each (`cold`) or for `duration` seconds. */
async function load(url: string, paths: string[], pass: 'cold' | 'warm', headers: Record<string, string> = {}, coldConnections = CONNECTIONS): Promise<object> {
  let i = 0;
  const cpuBefore = serverCpuMs(child.pid!);
  // a cold pass makes each request once: no more connections than requests
  const connections = pass === 'cold' ? Math.min(coldConnections, paths.length) : CONNECTIONS;
  const r = await autocannon({
    url,
    connections,
    ...(pass === 'cold' ? { amount: paths.length, timeout: 300 } : { duration }),
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  return {
    pass,
    tool: 'autocannon',
    connections,
    distinctUrls: paths.length,
    requests: r.requests.total,
    requestsPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max, mean: Math.round(r.latency.average * 10) / 10 },
    mbPerSec: Math.round((r.throughput.average / 1e6) * 10) / 10,
    // response bytes as received (headers and, when asked for, gzip bodies)
    bytesPerRequest: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
    serverCpuUsPerRequest: Math.round(((serverCpuMs(child.pid!) - cpuBefore) * 1000) / Math.max(1, r.requests.total)),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

/** Body bytes of one answer as sent: with `accept-encoding: gzip` (not decoded) or without. */
function bodyBytes(base: string, path: string, gzip: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(new URL(path, base), { headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      let n = 0;
      res.on('data', (b: Buffer) => (n += b.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`${path}: ${res.statusCode}`))));
    }).on('error', reject);
  });
}

/** Sizes of the distinct answers of a scenario: total, mean and largest, gzip and identity. */
async function bodySizes(base: string, paths: string[]): Promise<object> {
  const gz: number[] = [], plain: number[] = [];
  for (const p of paths) {
    gz.push(await bodyBytes(base, p, true));
    plain.push(await bodyBytes(base, p, false));
  }
  const stats = (xs: number[]): object => ({ total: xs.reduce((a, b) => a + b, 0), mean: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length), max: Math.max(...xs) });
  return { urls: paths.length, gzip: stats(gz), identity: stats(plain) };
}

const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(from.slice(0, 10)); t <= Date.parse(to.slice(0, 10)); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

const { child, url } = await startServer();
try {
  const snaps = ((await (await fetch(new URL('api/v1/snapshots', url))).json()) as { snapshots: { id: string; time: string }[] }).snapshots;
  const dates = days(snaps[0]!.time, snaps[snaps.length - 1]!.time);
  const scenarios: Record<string, object[]> = {};
  const run = async (name: string, paths: string[], headers?: Record<string, string>, coldConnections?: number): Promise<void> => {
    process.stderr.write(`bench api: ${name} (${paths.length} distinct URLs) …\n`);
    const passes = [await load(url, paths, 'cold', headers, coldConnections), await load(url, paths, 'warm', headers)];
    if (hasWrk) passes.push(await loadWrk(url, paths, headers ?? {}));
    scenarios[name] = passes;
  };
  await run('area-countries', dates.map((d) => `/api/v1/area?at=${d}`));
  await run('area-oblasts', dates.map((d) => `/api/v1/area?at=${d}&regions=oblasts`));

  // the map playing the timeline: each snapshot's keys, then only the keys not seen before
  const recent = snaps.slice(-nSnapshots);
  // cold, cells are cut and computed (seconds for the first snapshot, little for its neighbours):
  // one client stepping through the timeline, as the map does
  await run('snapshot-control', recent.map((s) => `/api/v1/snapshots/${s.id}/control`), { 'accept-encoding': 'gzip' }, 1);
  const seen = new Set<string>();
  const batches: string[] = [];
  for (const s of recent) {
    const { cells } = (await (await fetch(new URL(`api/v1/snapshots/${s.id}/control`, url))).json()) as { cells: string[] };
    const fresh = cells.filter((k) => !seen.has(k));
    fresh.forEach((k) => seen.add(k));
    for (let i = 0; i < fresh.length; i += KEYS_PER_REQUEST) batches.push(`/api/v1/control-cells?keys=${fresh.slice(i, i + KEYS_PER_REQUEST).join(',')}`);
  }
  const compact = batches.map((b) => `${b}&format=delta`);
  await run('control-cells', compact, { 'accept-encoding': 'gzip' });
  await run('control-cells-geojson', batches, { 'accept-encoding': 'gzip' });
  const bodies = { 'control-cells': await bodySizes(url, compact), 'control-cells-geojson': await bodySizes(url, batches) };

  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  process.stdout.write(JSON.stringify({
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    server: cli,
    connections: CONNECTIONS,
    warmSeconds: duration,
    snapshots: { total: snaps.length, controlScenario: recent.length, distinctCells: seen.size },
    scenarios,
    bodies,
    serverRssMiB: rss ? Math.round(Number(rss[1]) / 1024) : null,
  }, null, 2) + '\n');
} finally {
  child.kill('SIGTERM');
}
