/**
 * The web app: a map of who holds what on the chosen date, a timeline over every snapshot, the
 * figures behind the map with their provenance, a chart of the series, a compare mode and a
 * settlement search. Everything comes from the read-only API under /api/v1/ and from the basemap
 * files built beside this bundle; nothing is fetched from anywhere else.
 */
import './style.css';
import { api, ApiError, getJson, type AreaResult, type SnapshotRef } from './api.js';
import { CellCache } from './cells.js';
import { AreaChart, type ChartPoint } from './chart.js';
import { renderCompare, type ChangeResult } from './compare.js';
import { el, utc } from './format.js';
import { LabelLayer, type LabelPlace } from './labels.js';
import { createMap, type ControlMap } from './map.js';
import { PlaceSearch } from './places.js';
import { renderFigures, renderRegionTable, renderSources } from './panels.js';
import { formatState, parseState, snapshotIndexAt, type ViewState } from './state.js';
import { Timeline, type TimelineSnapshot } from './timeline.js';

const $ = <T extends HTMLElement>(sel: string): T => document.querySelector<T>(sel)!;
const COUNTRIES = 'countries';
/** Snapshots fetched ahead of the shown one, in the direction of the last step. */
const PREFETCH_AHEAD = 16;

class App {
  private readonly state: ViewState;
  private readonly cells = new CellCache();
  /** Snapshots whose cells were asked for ahead of time. */
  private readonly prefetched = new Set<string>();
  private shownIndex: number | undefined;
  /** Of the last step along the timeline: -1 back, 1 forward. */
  private direction = -1;
  private snapshots: TimelineSnapshot[] = [];
  private source = '';
  private timeline!: Timeline;
  private chart!: AreaChart;
  private view!: ControlMap;
  private labels!: LabelLayer;
  private places!: PlaceSearch;
  private drawing?: AbortController;
  private figuresRequest?: AbortController;
  private compareRequest?: AbortController;
  private regionSet = COUNTRIES;
  private exactCountries = false;
  private started = false;

  constructor() {
    this.state = parseState(location.search);
  }

  async start(): Promise<void> {
    const mapEl = $('#map');
    const [list, sets, labelPlaces, view] = await Promise.all([
      api.snapshots(),
      api.regions(),
      fetch(new URL('basemap/places.json', document.baseURI)).then((r) => r.json() as Promise<{ rows: [string, string, number, number, number][] }>),
      createMap(mapEl, this.state.view),
    ]);
    this.view = view;
    // every snapshot's key list, for stepping without a request per list (not needed for the first map)
    void this.cells.loadIndex();
    this.source = list.source;
    this.snapshots = list.snapshots;
    if (this.snapshots.length === 0) throw new Error('the database holds no snapshots yet');
    this.timeline = new Timeline($('#timeline'), this.snapshots, (i) => this.show(i));
    // The exact outline of Ukraine the figures use (the API's, from OpenStreetMap) is half a
    // megabyte even simplified; Natural Earth's is within a pixel or two until zoom 7.
    const exactOutline = (): void => {
      if (view.map.getZoom() < 7 || this.exactCountries) return;
      this.exactCountries = true;
      api.regionGeojson(COUNTRIES).then((fc) => view.setCountries(fc), (e: unknown) => {
        this.exactCountries = false;
        this.fail('borders', e);
      });
    };
    view.map.on('zoomend', exactOutline);
    exactOutline();
    this.labels = new LabelLayer(view.map);
    const labelList: LabelPlace[] = labelPlaces.rows.map(([name, country, population, lon, lat]) => ({ name, country, population, lon, lat }));
    this.labels.setPlaces(labelList);

    // region sets: by default the most detailed one the database holds
    const setSelect = $<HTMLSelectElement>('#region-set');
    for (const s of sets.sets) setSelect.append(el('option', { value: s.name }, `${s.name} (${s.regions.length})`));
    const detailed = [...sets.sets].sort((a, b) => b.regions.length - a.regions.length)[0]?.name;
    const preferred = this.state.regions ?? detailed ?? COUNTRIES;
    this.regionSet = sets.sets.some((s) => s.name === preferred) ? preferred : COUNTRIES;
    setSelect.value = this.regionSet;
    setSelect.addEventListener('change', () => {
      this.regionSet = setSelect.value;
      this.state.regions = this.regionSet;
      this.saveState();
      void this.loadRegions();
      void this.loadFigures();
    });
    void this.loadRegions();

    view.map.on('moveend', () => {
      const c = view.map.getCenter();
      this.state.view = [view.map.getZoom(), c.lat, c.lng];
      this.saveState();
    });

    this.chart = new AreaChart($('#chart'), $('#chart-tooltip'), (p) => this.timeline.go(this.snapshots.findIndex((s) => s.id === p.id)));
    void this.loadChart();

    this.places = new PlaceSearch($('#search'), $('#place-panel'), $('#place'), (place) => {
      this.state.place = place ? `${place.name}|${place.country}` : undefined;
      this.labels.highlight(place && { ...place, population: place.population ?? 0 });
      if (place) view.map.flyTo({ center: [place.lon, place.lat], zoom: Math.max(view.map.getZoom(), 8) });
      this.saveState();
    }, () => this.snapshots[this.timeline.index]?.time);
    if (this.state.place) void this.places.restore(this.state.place);

    this.setupCompare();
    renderSources($('#sources'), undefined);

    const start = this.state.date ? snapshotIndexAt(this.snapshots.map((s) => s.time), this.state.date) : this.snapshots.length - 1;
    this.timeline.go(start);
  }

  /** Draws snapshot `index` and loads its figures; resolves when the map shows it. */
  private async show(index: number): Promise<void> {
    const snap = this.snapshots[index]!;
    this.started = true;
    this.drawing?.abort();
    const ctl = (this.drawing = new AbortController());
    const mapEl = $('#map');
    mapEl.dataset.loadingSnapshot = snap.id;
    const previous = this.shownIndex;
    this.shownIndex = index;
    if (previous !== undefined && previous !== index) this.direction = Math.sign(index - previous);
    // at either end of the timeline the only way is back in
    if (index === 0) this.direction = 1;
    else if (index === this.snapshots.length - 1) this.direction = -1;
    // a prefetched snapshot goes to the map first, in this very task; the rest of the page follows
    const prefetched = this.cells.featuresNow(snap.id);
    const drawn = prefetched ? this.draw(index, prefetched, ctl.signal) : undefined;
    this.state.date = snap.time;
    this.saveState();
    this.chart.mark(snap.time, this.compareSnapshot()?.time);
    void this.loadFigures();
    if (this.compareSnapshot()) void this.loadCompare();
    try {
      await (drawn ?? this.cells.features(snap.id, ctl.signal).then((features) => this.draw(index, features, ctl.signal)));
    } catch (e) {
      if (!ctl.signal.aborted) this.fail('map', e);
    }
  }

  private async draw(index: number, features: GeoJSON.Feature[], signal: AbortSignal): Promise<void> {
    const snap = this.snapshots[index]!;
    if (signal.aborted) return;
    this.prefetched.add(snap.id); // its cells are here now
    // marks for the benchmark: where a step's time goes (data, then drawing)
    performance.mark('frontline:cells-ready', { detail: snap.id });
    const shown = this.view.showControl(features);
    // the snapshots ahead are fetched while this one is drawn
    this.prefetch(index);
    await shown;
    if (signal.aborted) return;
    performance.mark('frontline:drawn', { detail: snap.id });
    // what the map shows now: read by the browser tests and the benchmark
    const mapEl = $('#map');
    mapEl.dataset.renderedSnapshot = snap.id;
    mapEl.dataset.cells = String(features.length);
    $('#map-status').textContent = `Map: snapshot ${snap.id} (${utc(snap.time)})${snap.flag ? `, flagged: ${snap.flag}` : ''}`;
  }

  /**
   * The next steps are most likely further in the direction of the last one (back from the
   * latest at first): the cells of the next PREFETCH_AHEAD snapshots that way, and of the one
   * behind, are fetched in one go and handed to the map in one update, so that each of those
   * steps costs a feature-state switch and a frame. A new batch starts when fewer than half
   * of them are left ahead.
   */
  private prefetch(index: number): void {
    const wanted = (from: number, step: number, count: number): string[] => {
      const ids: string[] = [];
      for (let i = from + step, n = 0; n < count && i >= 0 && i < this.snapshots.length; i += step, n++) ids.push(this.snapshots[i]!.id);
      return ids;
    };
    const ahead = wanted(index, this.direction, PREFETCH_AHEAD);
    const soon = [...ahead.slice(0, PREFETCH_AHEAD / 2), ...wanted(index, -this.direction, 1)];
    if (soon.every((id) => this.prefetched.has(id))) return;
    const batch = [...ahead, ...wanted(index, -this.direction, 1)].filter((id) => !this.prefetched.has(id));
    // when even the next step is not ready (the first load, a jump), the nearest snapshots go
    // first and on their own, so that the map can tile them before the rest
    const first = this.prefetched.has(ahead[0] ?? '') ? [] : batch.filter((id) => id === ahead[0] || id === ahead[1]);
    this.preload(first);
    this.preload(batch.filter((id) => !first.includes(id)));
  }

  /** Fetches the cells of these snapshots and hands them to the map, as one batch. */
  private preload(ids: string[]): void {
    if (!ids.length) return;
    for (const id of ids) this.prefetched.add(id);
    void this.cells.loadIndex().then(() => this.cells.featuresOf(ids)).then(
      (byId) => {
        const all = new Set<GeoJSON.Feature>();
        for (const fs of byId.values()) for (const f of fs) all.add(f);
        this.view.preloadControl([...all]);
      },
      () => {
        for (const id of ids) this.prefetched.delete(id);
      },
    );
  }

  private async loadFigures(): Promise<void> {
    const snap = this.snapshots[this.timeline.index]!;
    this.figuresRequest?.abort();
    const ctl = (this.figuresRequest = new AbortController());
    try {
      const [countries, regions] = await Promise.all([
        api.area(snap.id, COUNTRIES, ctl.signal),
        this.regionSet === COUNTRIES ? undefined : api.area(snap.id, this.regionSet, ctl.signal),
      ]);
      renderFigures($('#figures'), countries);
      renderSources($('#sources'), regions ?? countries);
      renderRegionTable($<HTMLTableElement>('#region-table'), regions ?? countries, this.compareFigures);
    } catch (e) {
      if (!ctl.signal.aborted) this.fail('figures', e);
    }
  }

  private async loadRegions(): Promise<void> {
    try {
      const fc = this.regionSet === COUNTRIES ? { type: 'FeatureCollection' as const, features: [] } : await api.regionGeojson(this.regionSet);
      this.view.setRegions(fc);
    } catch (e) {
      this.fail('regions', e);
    }
  }

  private async loadChart(): Promise<void> {
    const first = this.snapshots[0]!.time, last = this.snapshots[this.snapshots.length - 1]!.time;
    try {
      const series = await api.series(first, last, 'week');
      const points: ChartPoint[] = series.map((r) => {
        const get = (region: string, side: string): number => r.rows.find((x) => x.region === region && x.side === side)?.km2 ?? 0;
        return { id: r.snapshot.id, time: r.snapshot.time, value: get('Ukraine', 'RU'), detail: `held by Russia in Ukraine (snapshot ${r.snapshot.id})` };
      });
      this.chart.setData(points, `RU-held area in Ukraine, weekly from ${first.slice(0, 10)} to ${last.slice(0, 10)}`);
      this.chart.mark(this.snapshots[this.timeline.index]!.time, this.compareSnapshot()?.time);
    } catch (e) {
      this.fail('chart', e);
    }
  }

  // ---- compare mode ----

  private compareFigures: AreaResult | undefined;

  private compareSnapshot(): SnapshotRef | undefined {
    if (!this.state.compare) return undefined;
    const s = this.snapshots[snapshotIndexAt(this.snapshots.map((x) => x.time), this.state.compare)]!;
    return { source: this.source, ...s };
  }

  private setupCompare(): void {
    const on = $<HTMLInputElement>('#compare-on');
    const date = $<HTMLInputElement>('#compare-date');
    date.min = this.snapshots[0]!.time.slice(0, 10);
    date.max = this.snapshots[this.snapshots.length - 1]!.time.slice(0, 10);
    const apply = (): void => {
      date.disabled = !on.checked;
      this.state.compare = on.checked && date.value ? date.value : undefined;
      for (const li of document.querySelectorAll<HTMLElement>('.compare-only')) li.hidden = !this.state.compare;
      this.saveState();
      this.chart?.mark(this.snapshots[this.timeline.index]!.time, this.compareSnapshot()?.time);
      if (this.state.compare) void this.loadCompare();
      else {
        this.compareRequest?.abort();
        this.compareFigures = undefined;
        this.view.setChange(undefined);
        $('#compare').replaceChildren();
        if (this.started) void this.loadFigures();
      }
    };
    if (this.state.compare) {
      on.checked = true;
      date.value = this.state.compare.slice(0, 10);
    } else {
      // a year before the latest snapshot: a useful default the moment the box is ticked
      date.value = new Date(Date.parse(date.max) - 365 * 86_400_000).toISOString().slice(0, 10);
    }
    on.addEventListener('change', apply);
    date.addEventListener('change', apply);
    apply();
  }

  private async loadCompare(): Promise<void> {
    const other = this.compareSnapshot();
    const snap = this.snapshots[this.timeline.index];
    if (!other || !snap) return;
    this.compareRequest?.abort();
    const ctl = (this.compareRequest = new AbortController());
    const [from, to] = Date.parse(other.time) <= Date.parse(snap.time) ? [other.time, snap.time] : [snap.time, other.time];
    const box = $('#compare');
    try {
      // the pieces are optional: the server names each after its nearest place, and answers 503
      // while the database has no places prepared; the totals do not depend on them
      const [change, pieces, figures] = await Promise.all([
        getJson<ChangeResult>('change', { from, to }, ctl.signal),
        getJson<GeoJSON.FeatureCollection>('change', { from, to, format: 'geojson' }, ctl.signal).catch((e: unknown) => {
          if (ctl.signal.aborted) throw e;
          return e instanceof Error ? e : new Error(String(e));
        }),
        this.regionSet === COUNTRIES ? undefined : api.area(other.id, this.regionSet, ctl.signal),
      ]);
      this.view.setChange(pieces instanceof Error ? undefined : pieces);
      renderCompare(box, change);
      void this.view.idle().then(() => {
        if (!ctl.signal.aborted) $('#map').dataset.renderedChange = `${change.from.id}-${change.to.id}`;
      });
      if (pieces instanceof Error) box.append(el('p', { class: 'hint' }, `The changed ground cannot be drawn: ${pieces.message}`));
      this.compareFigures = figures ?? (await api.area(other.id, COUNTRIES, ctl.signal));
      void this.loadFigures();
    } catch (e) {
      if (ctl.signal.aborted) return;
      this.view.setChange(undefined);
      box.replaceChildren(el('p', { class: 'error' }, e instanceof ApiError && e.status === 404
        ? 'This server cannot compare dates yet (no /api/v1/change).'
        : `Comparison failed: ${(e as Error).message}`));
    }
  }

  private saveState(): void {
    const url = `${location.pathname}${formatState(this.state)}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, '', url);
  }

  private fail(what: string, e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    $('#map-status').textContent = `Could not load the ${what}: ${msg}`;
    console.error(what, e);
  }
}

new App().start().catch((e: unknown) => {
  document.body.classList.add('failed');
  $('#map-status').textContent = `The app could not start: ${e instanceof Error ? e.message : String(e)}`;
});
