/**
 * The map: a plain basemap built from bundled open data (see scripts/build-basemap.ts), the
 * control geometry of the shown snapshot, and in compare mode the ground that changed hands.
 */
import * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, GeoJSONSource, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import { COLORS } from './colors.js';

// The worker is bundled as its own file; tell MapLibre where Vite put it.
maplibregl.setWorkerUrl(workerUrl);

/** Ukraine with Crimea, west-south-east-north, for the first view. */
const UKRAINE_BOUNDS: [number, number, number, number] = [22.1, 44.3, 40.3, 52.4];
const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };
const basemapUrl = (name: string): string => new URL(`basemap/${name}`, document.baseURI).href;

export const ATTRIBUTION = {
  deepstate: 'Control of terrain: <a href="https://deepstatemap.live">DeepStateMap</a>',
  naturalEarth: 'Land and borders: <a href="https://www.naturalearthdata.com/">Natural Earth</a> (public domain)',
  geonames: 'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0)',
  osm: 'Area borders: © <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors (ODbL)',
};

/**
 * The control sources hold every cell feature loaded lately, for all snapshots seen or fetched
 * ahead, and a snapshot is shown by switching its features on through feature state. Moving
 * along the timeline then changes a few dozen feature states on the main thread instead of
 * re-tiling the whole control geometry in the worker (setData), which took 0.4–0.5 s per step
 * with software WebGL.
 *
 * New features go to the map in batches (many snapshots ahead at once, see main.ts), each into
 * the next of CONTROL_SLOTS sources in turn, so that the worker re-tiles only that batch and the
 * tiles of the other sources are left as they are. A source's turn comes round again after
 * CONTROL_SLOTS batches: it is refilled with the new batch and with whatever of its old content
 * is shown, and the rest is dropped (the cell cache keeps it; showing it again adds it again).
 */
const SHOWN: ExpressionSpecification = ['case', ['boolean', ['feature-state', 'on'], false], 1, 0];
const CONTROL_SLOTS = 8;
const controlSource = (slot: number): string => `control-${slot}`;
const SLOTS = Array.from({ length: CONTROL_SLOTS }, (_, i) => i);

function style(): StyleSpecification {
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: basemapUrl('land.json'), attribution: ATTRIBUTION.naturalEarth },
      borders: { type: 'geojson', data: basemapUrl('borders.json') },
      // Natural Earth's Ukraine first (11 KB); main.ts swaps in the exact outline at close zoom
      countries: { type: 'geojson', data: basemapUrl('ukraine.json'), attribution: ATTRIBUTION.osm },
      regions: { type: 'geojson', data: EMPTY },
      ...Object.fromEntries(SLOTS.map((i) => [controlSource(i), { type: 'geojson', data: EMPTY, attribution: ATTRIBUTION.deepstate }])),
      change: { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': COLORS.sea } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': COLORS.land } },
      // Ukraine is held by Ukraine except where the control layer says otherwise
      { id: 'ukraine', type: 'fill', source: 'countries', filter: ['==', ['get', 'name'], 'Ukraine'], paint: { 'fill-color': COLORS.ua } },
      // opaque fills: cells meet edge to edge, and translucent fills would show every seam
      ...SLOTS.flatMap((i): LayerSpecification[] => [
        { id: `control-${i}-ru`, type: 'fill', source: controlSource(i), filter: ['==', ['get', 'side'], 'RU'], paint: { 'fill-color': COLORS.ru, 'fill-opacity': SHOWN } },
        { id: `control-${i}-ua`, type: 'fill', source: controlSource(i), filter: ['==', ['get', 'side'], 'UA'], paint: { 'fill-color': COLORS.ua, 'fill-opacity': SHOWN } },
        { id: `control-${i}-contested`, type: 'fill', source: controlSource(i), filter: ['==', ['get', 'side'], 'contested'], paint: { 'fill-color': COLORS.contested, 'fill-opacity': SHOWN } },
        { id: `control-${i}-contested-hatch`, type: 'fill', source: controlSource(i), filter: ['==', ['get', 'side'], 'contested'], paint: { 'fill-pattern': 'hatch', 'fill-opacity': SHOWN } },
      ]),
      // /api/v1/change?format=geojson: each changed piece with from_side and to_side
      { id: 'change-ru', type: 'fill', source: 'change', filter: ['==', ['get', 'to_side'], 'RU'], paint: { 'fill-color': COLORS.gainRu, 'fill-opacity': 0.85 } },
      { id: 'change-ua', type: 'fill', source: 'change', filter: ['==', ['get', 'to_side'], 'UA'], paint: { 'fill-color': COLORS.gainUa, 'fill-opacity': 0.85 } },
      { id: 'change-contested', type: 'fill', source: 'change', filter: ['==', ['get', 'to_side'], 'contested'], paint: { 'fill-color': COLORS.toContested, 'fill-opacity': 0.6 } },
      { id: 'regions', type: 'line', source: 'regions', paint: { 'line-color': COLORS.region, 'line-width': 0.7, 'line-dasharray': [3, 2] } },
      { id: 'borders', type: 'line', source: 'borders', paint: { 'line-color': COLORS.border, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 9, 1.8] } },
      ...SLOTS.map((i): LayerSpecification => (
        { id: `front-${i}`, type: 'line', source: controlSource(i), filter: ['==', ['get', 'kind'], 'front'], layout: { 'line-join': 'round' }, paint: { 'line-color': COLORS.front, 'line-opacity': SHOWN, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 1, 10, 2.5] } })),
    ],
  };
}

/** Diagonal hatch for contested ground, made here so that no sprite sheet is needed. */
function hatchImage(): ImageData {
  const size = 8;
  const data = new Uint8ClampedArray(size * size * 4);
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(COLORS.hatch.slice(i, i + 2), 16)) as [number, number, number];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x + y) % size === 0 || (x + y + 1) % size === 0) {
        const o = (y * size + x) * 4;
        data[o] = r; data[o + 1] = g; data[o + 2] = b; data[o + 3] = 200;
      }
    }
  }
  return new ImageData(data, size, size);
}

export interface ControlMap {
  map: maplibregl.Map;
  /**
   * Shows these features (objects kept by the cell cache, so the same cell is the same object)
   * and resolves once the map has drawn them.
   */
  showControl(features: GeoJSON.Feature[]): Promise<void>;
  /** Hands features to the map without showing them, so that showing them later costs one frame. */
  preloadControl(features: GeoJSON.Feature[]): void;
  setChange(fc: GeoJSON.FeatureCollection | undefined): void;
  setRegions(fc: GeoJSON.FeatureCollection): void;
  setCountries(fc: GeoJSON.FeatureCollection): void;
  /** Resolves when the map has drawn everything it was given. */
  idle(): Promise<void>;
}

export function createMap(container: HTMLElement, view: [number, number, number] | undefined): Promise<ControlMap> {
  const map = new maplibregl.Map({
    container,
    style: style(),
    // a link's view, else all of Ukraine, whatever the screen
    ...(view ? { center: [view[2], view[1]] as [number, number], zoom: view[0] } : { bounds: UKRAINE_BOUNDS, fitBoundsOptions: { padding: 10 } }),
    minZoom: 3,
    maxZoom: 12,
    maxBounds: [[5, 33], [63, 66]],
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.enable();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
  // on a phone the credits fold into an (i) button; the sources panel lists them in full too
  map.addControl(new maplibregl.AttributionControl({ compact: container.clientWidth < 640, customAttribution: ATTRIBUTION.geonames }), 'bottom-right');
  map.addImage('hatch', hatchImage());
  const source = (id: string): GeoJSONSource => map.getSource(id)!;

  const idle = (): Promise<void> =>
    new Promise((resolve) => {
      if (map.loaded() && !map.isMoving()) {
        // a change made this frame is not drawn yet: wait for the next idle, whatever happens
        map.once('idle', () => resolve());
        map.triggerRepaint();
      } else map.once('idle', () => resolve());
    });

  const control = new ControlLayer(map);
  return new Promise((resolve) => {
    map.once('load', () => {
      // MapLibre opens a compact attribution at first; on a phone it would cover a fifth of the map
      container.querySelector('.maplibregl-compact-show')?.classList.remove('maplibregl-compact-show');
      resolve({
        map,
        showControl: async (features) => {
          // features the worker has tiled already need only their feature state and one frame;
          // new ones are tiled first, which the idle map tells
          const ready = control.show(features);
          await (ready ? control.frame() : idle());
        },
        preloadControl: (features) => void control.add(features),
        setChange: (fc) => source('change').setData(fc ?? EMPTY),
        setRegions: (fc) => source('regions').setData(fc),
        setCountries: (fc) => source('countries').setData(fc),
        idle,
      });
    });
  });
}

interface Loaded {
  slot: number;
  /** The update (see ControlLayer.issued) that brought it to its source. */
  update: number;
  /** As the source holds it: the cell cache's feature with an id. */
  feature: GeoJSON.Feature;
  /** The cell cache's feature object. */
  origin: object;
}

/** The shown snapshot's features as feature states over the control sources (see SHOWN). */
class ControlLayer {
  private readonly ids = new WeakMap<object, number>();
  private readonly loaded = new Map<number, Loaded>();
  private readonly slots: Set<number>[] = SLOTS.map(() => new Set());
  private nextSlot = 0;
  private nextId = 1;
  private shown = new Set<number>();
  /** Updates sent to the sources so far; per source, the last one sent and the last one tiled. */
  private issued = 0;
  private readonly sent: number[] = SLOTS.map(() => 0);
  private readonly tiled: number[] = SLOTS.map(() => 0);
  /** False while the view moves and until the map is idle again: new tiles may be on their way. */
  private settled = true;

  constructor(private readonly map: maplibregl.Map) {
    // idle: every update sent so far is tiled and drawn, and the view has stopped
    map.on('idle', () => {
      for (const i of SLOTS) this.tiled[i] = this.sent[i]!;
      this.settled = true;
    });
    // a source done with its tiles (a source's reload has begun by the time the map hears of it)
    map.on('sourcedata', (e) => {
      const slot = SLOTS.find((i) => e.sourceId === controlSource(i));
      if (slot !== undefined && map.isSourceLoaded(e.sourceId)) this.tiled[slot] = this.sent[slot]!;
    });
    map.on('move', () => (this.settled = false));
  }

  /**
   * Switches the shown features; true when every one of them was tiled before, so that the next
   * frame draws the snapshot complete (tiles being re-made for other features keep their
   * current content until the new one is ready).
   */
  show(features: GeoJSON.Feature[]): boolean {
    const ids = this.add(features);
    const ready = this.settled && ids.every((id) => {
      const f = this.loaded.get(id)!;
      return f.update <= this.tiled[f.slot]!;
    });
    const next = new Set(ids);
    const state = (id: number, on: boolean): void => {
      this.map.setFeatureState({ source: controlSource(this.loaded.get(id)!.slot), id }, { on });
    };
    for (const id of this.shown) if (!next.has(id) && this.loaded.has(id)) state(id, false);
    for (const id of next) if (!this.shown.has(id)) state(id, true);
    this.shown = next;
    return ready;
  }

  /** Resolves once the map has rendered a frame with every change made so far. */
  frame(): Promise<void> {
    return new Promise((resolve) => {
      this.map.once('render', () => resolve());
      this.map.triggerRepaint();
    });
  }

  /**
   * Adds the features the sources lack, hidden, as one batch into the next source, and returns
   * the ids of all of them.
   */
  add(features: GeoJSON.Feature[]): number[] {
    if (features.some((f) => !this.ids.has(f))) {
      const slot = this.nextSlot;
      this.nextSlot = (slot + 1) % CONTROL_SLOTS;
      const update = ++this.issued;
      this.sent[slot] = update;
      const members = this.slots[slot]!;
      // the source's turn again: keep what is shown, drop the rest
      const refill = members.size > 0;
      const kept: GeoJSON.Feature[] = [];
      for (const id of [...members]) {
        const entry = this.loaded.get(id)!;
        if (this.shown.has(id)) {
          kept.push(entry.feature);
          continue;
        }
        members.delete(id);
        this.loaded.delete(id);
        this.ids.delete(entry.origin);
        this.map.removeFeatureState({ source: controlSource(slot), id });
      }
      const added: GeoJSON.Feature[] = [];
      for (const f of features) {
        if (this.ids.has(f)) continue;
        const id = this.nextId++;
        const feature = { ...f, id };
        this.ids.set(f, id);
        this.loaded.set(id, { slot, update, feature, origin: f });
        members.add(id);
        added.push(feature);
      }
      const source = this.map.getSource<GeoJSONSource>(controlSource(slot))!;
      // kept features stay drawn from the current tiles until the new ones are made
      if (refill) void source.setData({ type: 'FeatureCollection', features: [...kept, ...added] });
      else void source.updateData({ add: added });
    }
    return features.map((f) => this.ids.get(f)!);
  }
}
