/**
 * The web app's speed, measured in the browser: headless Chromium (SwiftShader WebGL) against
 * the real server over loopback, the app built from web/ as for the browser tests.
 *
 * - first load: bytes transferred until the map has drawn the latest snapshot, from the
 *   browser's Resource Timing (transferSize: encoded bodies plus headers), split by kind;
 * - timeline step: performance.now() in the page from the key press to the map having drawn the
 *   new snapshot (the app marks #map[data-rendered-snapshot] once MapLibre is idle), over
 *   `--steps` steps back from the latest snapshot, back to back (new cells are fetched, and the
 *   server computes each snapshot's cell list on first request unless the database stores it);
 *   the same steps forward again (all cached in the client); and steps through snapshots not
 *   seen before with a second between them, as someone reading the map steps (the app
 *   prefetches both neighbours of the shown snapshot);
 * - cells decode: time the page spent decoding the compact /control-cells answers into map
 *   features, at first load and over the whole run.
 *
 * Targets: a step under 100 ms, a first load under 2 MB. Prints JSON.
 *
 * usage: node --import tsx bench/web.ts --db PATH [--steps 30] [--samples]
 * (--samples adds every step's time, in order, to the output)
 */
import { parseArgs } from 'node:util';
import { startWebHarness, transferredBytes, waitForRendered } from '../test/support/browser.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, steps: { type: 'string', default: '30' }, samples: { type: 'boolean', default: false } } });
if (!values.db) {
  process.stderr.write('usage: node --import tsx bench/web.ts --db PATH [--steps 30]\n');
  process.exit(2);
}
const steps = Number(values.steps);

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};
const summary = (xs: number[]): object => ({
  n: xs.length,
  min_ms: Math.round(Math.min(...xs) * 10) / 10,
  median_ms: Math.round(quantile(xs, 0.5) * 10) / 10,
  p95_ms: Math.round(quantile(xs, 0.95) * 10) / 10,
  max_ms: Math.round(Math.max(...xs) * 10) / 10,
});

/** One step in the page: press the key, wait for the map to mark the expected snapshot drawn. */
const STEP = `async ([key, id]) => {
  const map = document.querySelector('#map');
  performance.clearMarks();
  const t0 = performance.now();
  document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  await new Promise((resolve) => {
    if (map.dataset.renderedSnapshot === id) return resolve();
    const o = new MutationObserver(() => {
      if (map.dataset.renderedSnapshot === id) { o.disconnect(); resolve(); }
    });
    o.observe(map, { attributes: true, attributeFilter: ['data-rendered-snapshot'] });
  });
  const total = performance.now() - t0;
  const ready = performance.getEntriesByName('frontline:cells-ready').find((m) => m.detail === id);
  return [total, ready ? ready.startTime - t0 : NaN];
}`;

const h = await startWebHarness(values.db);
try {
  const res = await fetch(new URL('api/v1/snapshots', h.base));
  if (!res.ok) throw new Error(`GET /api/v1/snapshots: ${res.status} ${await res.text()}`);
  const snaps = ((await res.json()) as { snapshots: { id: string }[] }).snapshots;
  if (snaps.length < steps + 1) throw new Error(`${values.db} holds ${snaps.length} snapshots; --steps ${steps} needs more`);
  const page = await h.context.newPage();
  const started = Date.now();
  await page.goto(h.base);
  await waitForRendered(page, snaps.at(-1)!.id);
  const firstLoadMs = Date.now() - started;
  // let the chart and the figures finish too: they are part of the first load
  await page.waitForLoadState('networkidle');
  const total = await transferredBytes(page);
  const byKind = (await page.evaluate(`(() => {
    const out = {};
    for (const e of performance.getEntriesByType('resource')) {
      const u = new URL(e.name);
      const kind = u.pathname.startsWith('/api/v1/') ? 'api ' + (u.pathname.endsWith('/control') ? 'control' : u.pathname.split('/')[3])
        : u.pathname.startsWith('/basemap/') ? 'basemap' : u.pathname.startsWith('/assets/') ? 'app ' + u.pathname.split('.').pop() : 'other';
      out[kind] = (out[kind] ?? 0) + e.transferSize;
    }
    return out;
  })()`)) as Record<string, number>;

  /** Time spent decoding the compact cells (web/src/cells.ts measures each batch). */
  const decodeStats = async (): Promise<object> => {
    const ms = (await page.evaluate(`performance.getEntriesByName('frontline:cells-decoded').map((m) => m.duration)`)) as number[];
    return { batches: ms.length, total_ms: Math.round(ms.reduce((a, b) => a + b, 0) * 10) / 10, max_ms: Math.round(Math.max(0, ...ms) * 10) / 10 };
  };
  const decodeFirstLoad = await decodeStats();

  const fn = `(${STEP})`;
  /** Per kind of step: total times, and the part spent before the data was ready to draw. */
  const data: Record<string, number[]> = { back_to_back: [], cached: [], after_a_second: [] };
  const step = async (key: string, id: string, kind?: string): Promise<number> => {
    const [total, ready] = (await page.evaluate(`${fn}(${JSON.stringify([key, id])})`)) as [number, number];
    if (kind) data[kind]!.push(ready);
    return total;
  };
  const cold: number[] = [], warm: number[] = [], paused: number[] = [];
  const n = snaps.length;
  // back to back: each step starts the moment the previous one is drawn
  for (let i = 1; i <= steps; i++) cold.push(await step('ArrowLeft', snaps[n - 1 - i]!.id, 'back_to_back'));
  // the same snapshots again: everything is in the client's cache
  for (let i = steps - 1; i >= 0; i--) warm.push(await step('ArrowRight', snaps[n - 1 - i]!.id, 'cached'));
  // new snapshots at a reading pace (a second between steps): the app prefetches neighbours
  await step('Home', snaps[0]!.id);
  for (let i = 1; i <= steps; i++) {
    await page.waitForTimeout(1000);
    paused.push(await step('ArrowRight', snaps[i]!.id, 'after_a_second'));
  }

  const result = {
    snapshots: n,
    first_load: {
      bytes: total,
      mib: Math.round((total / 1024 / 1024) * 100) / 100,
      target_bytes: 2 * 1024 * 1024,
      by_kind: byKind,
      until_map_drawn_ms: firstLoadMs,
      cells_decode: decodeFirstLoad,
    },
    // every batch of cells decoded during the whole run, first load included
    cells_decode: await decodeStats(),
    step_back_to_back: summary(cold),
    step_cached: summary(warm),
    step_after_a_second: summary(paused),
    // the part of each step spent waiting for data (network and server), before drawing began
    data_wait: Object.fromEntries(Object.entries(data).map(([k, xs]) => [k, summary(xs)])),
    step_target_ms: 100,
    ...(values.samples && { samples_ms: Object.fromEntries(Object.entries({ back_to_back: cold, cached: warm, after_a_second: paused }).map(([k, xs]) => [k, xs.map((x) => Math.round(x))])) }),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  await h.close();
}
