/**
 * The web app end to end: built from web/, served by the real server over the whole 2022–2025
 * DeepStateMap history, driven in headless Chromium. The figures the page shows are compared
 * with the API, the API with the CLI, and the map's own pixels with places whose control is a
 * matter of record. Screenshots of the main views go to test-output/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { frontlineAsync } from './support/cli.js';
import { repoRoot } from './support/data.js';
import { historyDbCopy } from './support/history-db.js';
import {
  DESKTOP, PHONE, getJson, sideAtCentre, startWebHarness, waitForRendered, watch, type PageLog, type WebHarness,
} from './support/browser.js';

interface Snap { id: string; time: string; flag: string | null }
interface AreaRow { region: string; side: string; km2: number; share: number }
interface Area { snapshot: Snap & { source: string }; provenance: Record<string, string>; rows: AreaRow[] }
interface ChangeRow { region: string; side: string; gained_km2: number; lost_km2: number; net_km2: number }

const out = join(repoRoot(), 'test-output');
/** How many snapshots ahead the app fetches the cells of (web/src/main.ts). */
const PREFETCH_AHEAD = 16;
const km2 = (rows: AreaRow[], region: string, side: string): number => rows.find((r) => r.region === region && r.side === side)!.km2;
/** The latest snapshot at or before the end of a UTC day, as the CLI and the API pick it. */
const at = (snaps: Snap[], day: string): Snap => snaps.filter((s) => Date.parse(s.time) <= Date.parse(`${day}T23:59:59.999Z`)).at(-1)!;

describe('web app', () => {
  let h: WebHarness;
  let dir: string;
  let db: string;
  let snaps: Snap[];
  let page: Page;
  /** Every request of the shared page, from its first load on. */
  let session: PageLog;

  before(async () => {
    mkdirSync(out, { recursive: true });
    // a copy: preparing places (for search, and to name changed ground) writes to the database
    dir = await mkdtemp(join(tmpdir(), 'frontline-web-test-'));
    db = await historyDbCopy(dir);
    const prepared = await frontlineAsync(['places', '--at', '2025-08-01', '--limit', '1', '--db', db]);
    assert.equal(prepared.code, 0, prepared.stderr);
    h = await startWebHarness(db);
    snaps = (await getJson<{ snapshots: Snap[] }>(h.base, 'api/v1/snapshots')).snapshots;
    page = await h.context.newPage();
    session = watch(page);
  });

  after(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Keys of every /control-cells request a page made. */
  const fetchedKeys = (log: { requests: string[] }): string[] =>
    log.requests.filter((u) => u.includes('/api/v1/control-cells')).flatMap((u) => new URL(u).searchParams.get('keys')!.split(','));

  /** The figures panel's numbers, read from the page. */
  async function shownFigures(p: Page): Promise<Record<string, number>> {
    const figures: Record<string, number> = {};
    for (const key of ['ukraine-ru', 'ukraine-contested', 'russia-ua', 'russia-contested']) {
      figures[key] = Number(await p.locator(`[data-figure="${key}"]`).getAttribute('data-km2'));
    }
    return figures;
  }

  async function expectFiguresOf(p: Page, snap: Snap): Promise<void> {
    await p.locator(`#figures[data-snapshot="${snap.id}"]`).waitFor({ timeout: 60_000 });
    const area = await getJson<Area>(h.base, `api/v1/area?snapshot=${snap.id}`);
    assert.deepEqual(await shownFigures(p), {
      'ukraine-ru': km2(area.rows, 'Ukraine', 'RU'),
      'ukraine-contested': km2(area.rows, 'Ukraine', 'contested'),
      'russia-ua': km2(area.rows, 'Russia', 'UA'),
      'russia-contested': km2(area.rows, 'Russia', 'contested'),
    });
    // each figure names its snapshot
    const line = await p.locator('#figures .snapshot-line').textContent();
    assert.match(line!, new RegExp(`${snap.time.slice(0, 10)} ${snap.time.slice(11, 16)} UTC.*${snap.id}`));
  }

  test('first load draws the latest snapshot; its figures are the API\'s, which are the CLI\'s; nothing comes from other hosts', async () => {
    const log = watch(page);
    await page.goto(h.base);
    const latest = snaps.at(-1)!;
    await waitForRendered(page, latest.id);
    await expectFiguresOf(page, latest);

    // the API's figures are exactly `frontline area --json` (the CLI's figures are cross-checked
    // against GEOS through Shapely in crosscheck.test.ts)
    const cli = await frontlineAsync(['area', '--at', latest.time, '--json', '--db', db]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(await getJson<Area>(h.base, `api/v1/area?snapshot=${latest.id}`), JSON.parse(cli.stdout));
    const shownText = await page.locator('[data-figure="ukraine-ru"] dd').textContent();
    const area = await getJson<Area>(h.base, `api/v1/area?snapshot=${latest.id}`);
    assert.ok(shownText!.includes(km2(area.rows, 'Ukraine', 'RU').toLocaleString('en-GB', { minimumFractionDigits: 1 })), shownText!);

    // the region table: the most detailed set, every row equal to the API
    const set = await page.locator('#region-set').inputValue();
    assert.equal(set, 'oblasts');
    await page.locator(`#region-table[data-snapshot="${latest.id}"]`).waitFor();
    const oblasts = await getJson<Area>(h.base, `api/v1/area?snapshot=${latest.id}&regions=oblasts`);
    const regions = [...new Set(oblasts.rows.map((r) => r.region))];
    assert.equal(await page.locator('#region-table tbody tr').count(), regions.length);
    for (const region of regions) {
      const cell = page.locator(`#region-table tr[data-region="${region}"] td`).first();
      assert.equal(Number(await cell.getAttribute('data-km2')), km2(oblasts.rows, region, 'RU'), region);
    }

    // the chart has one point per week of the history
    const weekly = await getJson<Area[]>(h.base, `api/v1/series?from=${snaps[0]!.time}&to=${latest.time}&every=week`);
    assert.ok(weekly.length > 150);
    assert.equal((await page.locator('#chart .chart-line').getAttribute('d'))!.split('L').length, weekly.length);

    // map data came from the API: every snapshot's key list in one request, the snapshot's cells,
    // each fetched once, and beyond them only cells of the snapshots the app prefetches for the
    // next steps (back from the latest, at most PREFETCH_AHEAD of them)
    assert.equal(log.requests.filter((u) => u.includes('/api/v1/control-keys')).length, 1);
    const cells = async (s: Snap): Promise<Set<string>> => new Set((await getJson<{ cells: string[] }>(h.base, `api/v1/snapshots/${s.id}/control`)).cells);
    const own = await cells(latest);
    const ahead = new Set<string>();
    for (const s of snaps.slice(-1 - PREFETCH_AHEAD, -1)) for (const k of await cells(s)) ahead.add(k);
    const requested = fetchedKeys(log);
    assert.equal(new Set(requested).size, requested.length, 'a cell was fetched twice');
    for (const k of own) assert.ok(requested.includes(k), `cell ${k} of the shown snapshot was not fetched`);
    for (const k of requested) assert.ok(own.has(k) || ahead.has(k), `cell ${k} belongs to neither the snapshot nor those just before it`);

    // attribution of every source shown
    const credits = await page.locator('.maplibregl-ctrl-attrib').textContent();
    for (const name of ['DeepStateMap', 'GeoNames', 'Natural Earth', 'OpenStreetMap']) assert.ok(credits!.includes(name), `attribution lacks ${name}: ${credits}`);

    const origin = new URL(h.base).origin;
    assert.deepEqual(log.requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')), []);
    assert.deepEqual(log.errors, []);
    await page.screenshot({ path: join(out, 'web-desktop.png') });
  });

  test('the timeline: arrow keys step, the slider jumps, a step fetches only the changed cells, the URL follows', async () => {
    const log = watch(page);
    const n = snaps.length;
    const last = snaps[n - 1]!, previous = snaps[n - 2]!;
    await waitForRendered(page, last.id);
    const figuresBefore = await shownFigures(page);

    await page.locator('h1').click(); // focus on the page, not on a control
    await page.keyboard.press('ArrowLeft');
    await waitForRendered(page, previous.id);
    await expectFiguresOf(page, previous);
    assert.match(page.url(), new RegExp(`date=${previous.time}`));
    // the step needed no request for the map: the snapshot's key list and cells were prefetched
    // with the first load. Requests made meanwhile are for the snapshots further back (the
    // app fetches ahead), and no cell is fetched twice in the whole session.
    const [a, b] = await Promise.all([last, previous].map((s) => getJson<{ cells: string[] }>(h.base, `api/v1/snapshots/${s.id}/control`)));
    const window = snaps.slice(n - 3 - PREFETCH_AHEAD, n - 2);
    const ahead = new Set<string>();
    for (const s of window) for (const k of (await getJson<{ cells: string[] }>(h.base, `api/v1/snapshots/${s.id}/control`)).cells) ahead.add(k);
    for (const u of log.requests.filter((x) => /\/api\/v1\/snapshots\/[^/]+\/control/.test(x))) {
      assert.ok(window.some((s) => u.includes(`/snapshots/${s.id}/control`)), `the step asked for ${u}`);
    }
    for (const k of fetchedKeys(log)) assert.ok(ahead.has(k), `cell ${k} fetched needlessly`);
    const all = fetchedKeys(session);
    assert.equal(new Set(all).size, all.length, 'a cell was fetched twice');
    const fresh = new Set(b!.cells.filter((k) => !a!.cells.includes(k)));
    assert.ok(fresh.size < b!.cells.length / 4, `${fresh.size} of ${b!.cells.length} cells changed between neighbours`);

    // a jump back to the summer of 2022: the map and the figures change
    const mapBefore = await page.locator('#map').screenshot();
    const summer = at(snaps, '2022-08-01');
    await page.locator('#timeline-slider').fill(String(snaps.indexOf(summer)));
    await waitForRendered(page, summer.id);
    await expectFiguresOf(page, summer);
    assert.notDeepEqual(await shownFigures(page), figuresBefore);
    assert.notDeepEqual(await page.locator('#map').screenshot(), mapBefore);
    assert.equal(await page.locator('#timeline-date').textContent(), `${summer.time.slice(0, 10)} ${summer.time.slice(11, 16)} UTC`);
    assert.match(page.url(), new RegExp(`date=${summer.time}`));

    // space plays, and playing moves forward through the snapshots; space again pauses
    await page.locator('h1').click();
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'true');
    const start = snaps.indexOf(summer);
    await page.waitForFunction(`(() => {
      const id = document.querySelector('#map').dataset.renderedSnapshot;
      return ${JSON.stringify(snaps.slice(start + 2, start + 400).map((s) => s.id))}.includes(id);
    })()`, undefined, { timeout: 60_000 });
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#play').getAttribute('aria-pressed'), 'false');
    assert.deepEqual(log.errors, []);
  });

  test('the map shows control that is a matter of record: Mariupol, Kherson and Sudzha', async () => {
    // [day, lat, lon, expected side at the map's centre]
    const facts: [string, number, number, 'RU' | 'UA' | 'other', string][] = [
      ['2022-08-01', 47.06, 37.45, 'RU', 'Mariupol, held by Russia since May 2022'],
      ['2022-08-01', 46.69, 32.7, 'RU', 'Kherson, occupied March–November 2022'],
      ['2023-02-01', 46.69, 32.7, 'UA', 'Kherson, liberated 11 November 2022'],
      ['2024-10-01', 51.2, 35.27, 'UA', 'Sudzha (Kursk region of Russia), held by Ukraine in autumn 2024'],
      ['2025-08-01', 51.2, 35.27, 'other', 'Sudzha, back in Russian hands by spring 2025: no colour over Russia'],
    ];
    const p = await h.context.newPage();
    for (const [day, lat, lon, side, what] of facts) {
      const snap = at(snaps, day);
      await p.goto(`${h.base}?date=${day}&map=8/${lat}/${lon}`);
      await waitForRendered(p, snap.id);
      assert.equal(await sideAtCentre(p), side, `${what}: snapshot ${snap.id} of ${day}`);
    }
    await p.close();
  });

  test('compare mode: gains and losses are /api/v1/change, drawn on the map, and the table shows each region\'s change', async () => {
    const now = at(snaps, '2025-08-01'), then = at(snaps, '2024-08-01');
    await page.goto(`${h.base}?date=${now.time}&map=6/48.3/37.2`);
    await waitForRendered(page, now.id);
    const mapBefore = await page.locator('#map').screenshot();
    await page.locator('#compare-on').check();
    await page.locator('#compare-date').fill('2024-08-01');
    // ticking the box compares with its default date first: wait for the comparison asked for
    const dd = page.locator(`#compare[data-from="${then.id}"][data-to="${now.id}"] [data-change="ukraine-ru"]`);
    await dd.waitFor({ timeout: 120_000 });
    const change = await getJson<{ from: Snap; to: Snap; rows: ChangeRow[] }>(h.base, `api/v1/change?from=${then.time}&to=${now.time}`);
    assert.equal(change.from.id, then.id);
    assert.equal(change.to.id, now.id);
    const ru = change.rows.find((r) => r.region === 'Ukraine' && r.side === 'RU')!;
    assert.ok(ru.gained_km2 > 1000, 'Russia advanced in 2024–25');
    assert.equal(Number(await dd.getAttribute('data-gained')), ru.gained_km2);
    assert.equal(Number(await dd.getAttribute('data-lost')), ru.lost_km2);
    assert.equal(Number(await dd.getAttribute('data-net')), ru.net_km2);
    // net change is the difference of the two dates' areas (each rounded to 0.1 km²)
    const [ca, cb] = await Promise.all([then, now].map((s) => getJson<Area>(h.base, `api/v1/area?snapshot=${s.id}`)));
    assert.ok(Math.abs(ru.net_km2 - (km2(cb!.rows, 'Ukraine', 'RU') - km2(ca!.rows, 'Ukraine', 'RU'))) <= 0.25, `net ${ru.net_km2}`);
    const [a, b] = await Promise.all([then, now].map((s) => getJson<Area>(h.base, `api/v1/area?snapshot=${s.id}&regions=oblasts`)));
    assert.match(page.url(), /compare=2024-08-01/);

    // the table's Δ column: each oblast's RU-held area now minus then
    await page.locator(`#region-table[data-snapshot="${now.id}"][data-compare="${then.id}"]`).waitFor();
    for (const region of new Set(b!.rows.map((r) => r.region))) {
      const delta = Number(await page.locator(`#region-table tr[data-region="${region}"] td.delta`).getAttribute('data-km2'));
      assert.equal(delta, Math.round((km2(b!.rows, region, 'RU') - km2(a!.rows, region, 'RU')) * 10) / 10, region);
    }
    const most = Math.max(...b!.rows.filter((r) => r.side === 'RU').map((r) => r.km2 - km2(a!.rows, r.region, 'RU')));
    assert.ok(most > 500, `Russia gained ${most} km² in its best oblast between the dates`);

    // the gains are drawn: the map changed, and the legend names the new colours
    assert.equal(await page.locator('#compare .hint').count(), 0, 'changed ground could not be drawn');
    await page.waitForFunction(`document.querySelector('.legend .compare-only:not([hidden])') !== null`);
    await page.locator(`#map[data-rendered-change="${then.id}-${now.id}"]`).waitFor({ state: 'attached', timeout: 60_000 });
    assert.notDeepEqual(await page.locator('#map').screenshot(), mapBefore);
    await page.screenshot({ path: join(out, 'web-desktop-compare.png') });
  });

  test('settlement search finds a place, moves the map there and shows who held it when', async () => {
    await page.goto(`${h.base}?date=2025-08-01`);
    await waitForRendered(page, at(snaps, '2025-08-01').id);
    await page.locator('#search-input').fill('Kherso');
    const first = page.locator('#search-results button').first();
    await first.waitFor();
    const hits = await getJson<{ name: string; country: string }[]>(h.base, 'api/v1/places/search?q=Kherso');
    assert.equal(await page.locator('#search-results button').count(), hits.length);
    assert.equal(await first.getAttribute('data-place'), `${hits[0]!.name}|${hits[0]!.country}`);
    await first.click();
    await page.locator('#place-panel:not([hidden]) .place-periods').waitFor();
    assert.match(decodeURIComponent(page.url()), new RegExp(`place=${hits[0]!.name}\\|${hits[0]!.country}`));
    const hit = hits[0] as unknown as { lon: number; lat: number };
    const place = await getJson<{ history: { side: string; from: string }[] }>(h.base, `api/v1/place?name=${encodeURIComponent(hits[0]!.name)}&country=${hits[0]!.country}&near=${hit.lon},${hit.lat}`);
    assert.deepEqual(await page.locator('.place-periods tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-side'))), place.history.map((x) => x.side));
    // Kherson: occupied from March 2022, liberated on 11 November 2022, Ukrainian since
    assert.equal(hits[0]!.name, 'Kherson');
    assert.deepEqual(place.history.map((x) => [x.side, x.from.slice(0, 10)]), [['RU', snaps[0]!.time.slice(0, 10)], ['UA', '2022-11-11']]);
    assert.equal(await page.locator('.place-periods tr.current').getAttribute('data-side'), 'UA');
    // the map moved there (the URL follows once the flight ends)
    await page.waitForURL((u) => u.searchParams.get('map') !== null);
    const view = new URL(page.url()).searchParams.get('map')!.split('/').map(Number);
    assert.ok(Math.abs(view[1]! - hit.lat) < 0.05 && Math.abs(view[2]! - hit.lon) < 0.05, `map at ${view.join('/')}`);
    await page.screenshot({ path: join(out, 'web-desktop-place.png') });
  });

  test('a link reproduces the view: date, map view, compare date, place', async () => {
    const day = at(snaps, '2023-06-02');
    const url = `${h.base}?date=${day.time}&compare=2023-01-01&map=7.00/47.8000/37.6000&regions=border`;
    const p = await h.context.newPage();
    await p.goto(url);
    await waitForRendered(p, day.id);
    await expectFiguresOf(p, day);
    assert.equal(await p.locator('#compare-on').isChecked(), true);
    assert.equal(await p.locator('#compare-date').inputValue(), '2023-01-01');
    assert.equal(await p.locator('#region-set').inputValue(), 'border');
    assert.equal(await p.locator('#region-table tbody tr').count(), 4); // three oblasts and "outside"
    assert.equal(new URL(p.url()).searchParams.get('map'), '7.00/47.8000/37.6000');
    await p.close();
  });

  test('phone: map on top, timeline and panels below, nothing wider than the screen', async () => {
    const p = await h.context.newPage();
    await p.setViewportSize(PHONE);
    const latest = snaps.at(-1)!;
    await p.goto(h.base);
    await waitForRendered(p, latest.id);
    const [map, timeline, panels] = await Promise.all(['.map-area', '#timeline', '#panels'].map((s) => p.locator(s).boundingBox()));
    assert.ok(map && timeline && panels);
    assert.ok(map.y < timeline.y && timeline.y < panels.y, 'map, then timeline, then panels');
    assert.ok(map.height > PHONE.height * 0.4, `map height ${map.height}`);
    assert.ok(Math.abs(map.width - PHONE.width) < 2);
    assert.ok((await p.evaluate('document.documentElement.scrollWidth')) as number <= PHONE.width);
    await p.screenshot({ path: join(out, 'web-phone.png') });
    await p.screenshot({ path: join(out, 'web-phone-full.png'), fullPage: true });
    await p.close();
    await page.setViewportSize(DESKTOP);
  });

  test('keyboard: every control is labelled and reachable with Tab, in reading order', async () => {
    const p = await h.context.newPage();
    await p.goto(h.base);
    await waitForRendered(p, snaps.at(-1)!.id);
    const order: string[] = [];
    for (let i = 0; i < 20; i++) {
      await p.keyboard.press('Tab');
      order.push((await p.evaluate(`(() => {
        const e = document.activeElement;
        const label = e.labels?.[0]?.textContent ?? e.getAttribute('aria-label') ?? e.textContent;
        return (e.id || e.className || e.tagName) + ':' + (label ?? '').trim().replace(/\\s+/g, ' ');
      })()`)) as string);
    }
    const ids = order.map((o) => o.split(':')[0]);
    const expected = ['search-input', 'maplibregl-canvas', 'step-back', 'play', 'step-forward', 'speed', 'timeline-slider'];
    const positions = expected.map((id) => ids.indexOf(id));
    assert.ok(positions.every((x) => x >= 0), `tab order: ${order.join(' | ')}`);
    assert.deepEqual([...positions].sort((x, y) => x - y), positions, `tab order: ${order.join(' | ')}`);
    for (const o of order) assert.ok(o.split(':')[1]!.length > 0, `unlabelled control in tab order: ${o}`);
    await p.close();
    assert.deepEqual(h.serverErrors, []);
  });
});
