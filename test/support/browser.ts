/**
 * The web app in a real browser: Debian's Chromium (`apt-get install chromium`) driven by
 * playwright-core, which never downloads a browser of its own. WebGL runs on SwiftShader, the
 * software renderer, so MapLibre draws on a machine without a GPU.
 *
 * The app is built from the working tree into a temporary directory (not dist/web, which a
 * running `frontline serve` may be using) and served by the real server, in this process, over
 * loopback.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { FrontlineServer } from '../../src/server/server.js';
import { runCommand } from './cli.js';
import { repoRoot } from './data.js';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // WebGL without a GPU: ANGLE on SwiftShader
  '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Builds the web app (Vite bundle and basemap) into `outDir`, exactly as `npm run build:web` does into dist/web. */
export async function buildWebApp(outDir: string): Promise<void> {
  const root = repoRoot();
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const steps: [string, string[]][] = [
    [process.execPath, [vite, 'build', '--config', join(root, 'web', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']],
    [process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-basemap.ts'), join(outDir, 'basemap')]],
  ];
  for (const [cmd, args] of steps) {
    const r = await runCommand(cmd, args);
    if (r.code !== 0) throw new Error(`building the web app failed: ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  }
}

export interface WebHarness {
  /** http://127.0.0.1:PORT/ */
  base: string;
  server: FrontlineServer;
  context: BrowserContext;
  /** Internal errors the server logged: a test run must end with none. */
  serverErrors: string[];
  close(): Promise<void>;
}

/** Builds the app, serves it with the API over `db`, and starts Chromium with a fresh profile. */
export async function startWebHarness(db: string): Promise<WebHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  const work = await mkdtemp(join(tmpdir(), 'frontline-web-'));
  const webDir = join(work, 'web');
  await buildWebApp(webDir);
  const serverErrors: string[] = [];
  const server = new FrontlineServer({ db, webDir, log: (m) => serverErrors.push(m) });
  const base = await server.listen(0, '127.0.0.1');
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: DESKTOP,
    });
  } catch (e) {
    await server.close();
    await rm(work, { recursive: true, force: true });
    throw e;
  }
  const ctx = context;
  return {
    base,
    server,
    context: ctx,
    serverErrors,
    async close() {
      await ctx.close();
      await server.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

export interface PageLog {
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** Records what a page requests and every error it reports. */
export function watch(page: Page): PageLog {
  const log: PageLog = { requests: [], errors: [] };
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  return log;
}

/** Waits until the map has drawn snapshot `id` (the app sets data-rendered-snapshot once the map is idle). */
export async function waitForRendered(page: Page, id: string, timeout = 120_000): Promise<void> {
  await page.locator(`#map[data-rendered-snapshot="${id}"]`).waitFor({ state: 'attached', timeout });
}

/** The snapshot the map shows now. */
export async function renderedSnapshot(page: Page): Promise<string | null> {
  return page.locator('#map').getAttribute('data-rendered-snapshot');
}

/** GET a JSON document from the server under test. */
export async function getJson<T>(base: string, path: string): Promise<T> {
  const res = await fetch(new URL(path, base));
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Bytes transferred (encoded body sizes as the browser saw them) for everything the page loaded so far. */
export async function transferredBytes(page: Page): Promise<number> {
  return page.evaluate(`(() => {
    const nav = performance.getEntriesByType('navigation').map((e) => e.transferSize);
    const res = performance.getEntriesByType('resource').map((e) => e.transferSize);
    return [...nav, ...res].reduce((a, b) => a + b, 0);
  })()`);
}

/**
 * RGB of every pixel of a PNG as Playwright writes screenshots (8-bit RGB or RGBA, not
 * interlaced): enough of the format to read back what the map drew, without a dependency.
 */
export function decodePng(png: Buffer): { width: number; height: number; rgb: (x: number, y: number) => [number, number, number] } {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos), type = png.toString('latin1', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? out[y * stride + i - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const c = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      let v: number;
      if (filter === 0) v = x;
      else if (filter === 1) v = x + a;
      else if (filter === 2) v = x + b;
      else if (filter === 3) v = x + ((a + b) >> 1);
      else {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      out[y * stride + i] = v & 0xff;
    }
  }
  return { width, height, rgb: (x, y) => [out[(y * width + x) * channels]!, out[(y * width + x) * channels + 1]!, out[(y * width + x) * channels + 2]!] };
}

/** The map's colour at its centre: RU (orange), UA (blue), or other (land, sea, grey). */
export async function sideAtCentre(page: Page): Promise<'RU' | 'UA' | 'other'> {
  const box = await page.locator('#map').boundingBox();
  if (!box) throw new Error('#map is not visible');
  const cx = Math.round(box.x + box.width / 2), cy = Math.round(box.y + box.height / 2);
  // labels, legend and controls hidden: only the map's own pixels count
  const png = await page.screenshot({ clip: { x: cx - 2, y: cy - 2, width: 5, height: 5 }, style: '.label-layer, .legend, .map-status, .maplibregl-control-container { visibility: hidden !important; }' });
  const img = decodePng(png);
  const votes = { RU: 0, UA: 0, other: 0 };
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const [r, g, b] = img.rgb(x, y);
      // RU #f0a35a is warm (red well above blue), UA #a9cbe8 cool (blue well above red)
      votes[r - b > 60 && g > 110 ? 'RU' : b - r > 40 ? 'UA' : 'other']++;
    }
  }
  return (Object.entries(votes).sort((a, b) => b[1] - a[1])[0]![0]) as 'RU' | 'UA' | 'other';
}
