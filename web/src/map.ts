/**
 * The map: a plain basemap built from bundled open data (see scripts/build-basemap.ts), the
 * control geometry of the shown snapshot, and in compare mode the ground that changed hands.
 */
import * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, GeoJSONSource, StyleSpecification } from 'maplibre-gl';
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
 * The control source holds every cell feature loaded so far, for all snapshots seen, and a
 * snapshot is shown by switching its features on through feature state. Moving along the
 * timeline then changes a few dozen feature states on the main thread instead of re-tiling
 * the whole control geometry in the worker (setData), which took 0.4–0.5 s per step with
 * software WebGL; only cells never seen before go to the worker, as an incremental updateData.
 */
const SHOWN: ExpressionSpecification = ['case', ['boolean', ['feature-state', 'on'], false], 1, 0];
/** Loaded features beyond which the source is rebuilt from the shown snapshot alone. */
const MAX_LOADED_FEATURES = 20_000;

function style(): StyleSpecification {
  return {
    version: 8,
    sources: {
      land: { type: 'geojson', data: basemapUrl('land.json'), attribution: ATTRIBUTION.naturalEarth },
      borders: { type: 'geojson', data: basemapUrl('borders.json') },
      // Natural Earth's Ukraine first (11 KB); main.ts swaps in the exact outline at close zoom
      countries: { type: 'geojson', data: basemapUrl('ukraine.json'), attribution: ATTRIBUTION.osm },
      regions: { type: 'geojson', data: EMPTY },
      control: { type: 'geojson', data: EMPTY, attribution: ATTRIBUTION.deepstate },
      change: { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': COLORS.sea } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': COLORS.land } },
      // Ukraine is held by Ukraine except where the control layer says otherwise
      { id: 'ukraine', type: 'fill', source: 'countries', filter: ['==', ['get', 'name'], 'Ukraine'], paint: { 'fill-color': COLORS.ua } },
      // opaque fills: cells meet edge to edge, and translucent fills would show every seam
      { id: 'control-ru', type: 'fill', source: 'control', filter: ['==', ['get', 'side'], 'RU'], paint: { 'fill-color': COLORS.ru, 'fill-opacity': SHOWN } },
      { id: 'control-ua', type: 'fill', source: 'control', filter: ['==', ['get', 'side'], 'UA'], paint: { 'fill-color': COLORS.ua, 'fill-opacity': SHOWN } },
      { id: 'control-contested', type: 'fill', source: 'control', filter: ['==', ['get', 'side'], 'contested'], paint: { 'fill-color': COLORS.contested, 'fill-opacity': SHOWN } },
      { id: 'control-contested-hatch', type: 'fill', source: 'control', filter: ['==', ['get', 'side'], 'contested'], paint: { 'fill-pattern': 'hatch', 'fill-opacity': SHOWN } },
      // /api/v1/change?format=geojson: each changed piece with from_side and to_side
      { id: 'change-ru', type: 'fill', source: 'change', filter: ['==', ['get', 'to_side'], 'RU'], paint: { 'fill-color': COLORS.gainRu, 'fill-opacity': 0.85 } },
      { id: 'change-ua', type: 'fill', source: 'change', filter: ['==', ['get', 'to_side'], 'UA'], paint: { 'fill-color': COLORS.gainUa, 'fill-opacity': 0.85 } },
      { id: 'change-contested', type: 'fill', source: 'change', filter: ['==', ['get', 'to_side'], 'contested'], paint: { 'fill-color': COLORS.toContested, 'fill-opacity': 0.6 } },
      { id: 'regions', type: 'line', source: 'regions', paint: { 'line-color': COLORS.region, 'line-width': 0.7, 'line-dasharray': [3, 2] } },
      { id: 'borders', type: 'line', source: 'borders', paint: { 'line-color': COLORS.border, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 9, 1.8] } },
      { id: 'front', type: 'line', source: 'control', filter: ['==', ['get', 'kind'], 'front'], layout: { 'line-join': 'round' }, paint: { 'line-color': COLORS.front, 'line-opacity': SHOWN, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 1, 10, 2.5] } },
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
  /** Shows these features (objects kept by the cell cache, so the same cell is the same object). */
  setControl(features: GeoJSON.Feature[]): void;
  /** Hands features to the map without showing them, so that showing them later costs nothing. */
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
        setControl: (features) => control.show(features),
        preloadControl: (features) => void control.add(features, true),
        setChange: (fc) => source('change').setData(fc ?? EMPTY),
        setRegions: (fc) => source('regions').setData(fc),
        setCountries: (fc) => source('countries').setData(fc),
        idle,
      });
    });
  });
}

/** The shown snapshot's features as feature states over an append-only source (see SHOWN). */
class ControlLayer {
  private ids = new WeakMap<object, number>();
  private loaded = 0;
  private nextId = 1;
  private shown = new Set<number>();

  constructor(private readonly map: maplibregl.Map) {}

  show(features: GeoJSON.Feature[]): void {
    const next = new Set(this.add(features));
    for (const id of this.shown) if (!next.has(id)) this.map.setFeatureState({ source: 'control', id }, { on: false });
    for (const id of next) if (!this.shown.has(id)) this.map.setFeatureState({ source: 'control', id }, { on: true });
    this.shown = next;
  }

  /**
   * Adds the features the source lacks, hidden, and returns the ids of all of them. Adding is the
   * expensive part (the worker re-tiles the source), so neighbours are added ahead of time.
   */
  add(features: GeoJSON.Feature[], preload = false): number[] {
    const source = this.map.getSource<GeoJSONSource>('control')!;
    if (this.loaded + features.length > MAX_LOADED_FEATURES) {
      if (preload) return []; // a reset would blank the shown snapshot; leave it to show()
      this.reset(source);
    }
    const added: GeoJSON.Feature[] = [];
    const ids = features.map((f) => {
      let id = this.ids.get(f);
      if (id === undefined) {
        id = this.nextId++;
        this.ids.set(f, id);
        added.push({ ...f, id });
      }
      return id;
    });
    if (added.length) {
      this.loaded += added.length;
      void source.updateData({ add: added });
    }
    return ids;
  }

  /** Drops every feature: a long session would otherwise keep the whole history on the GPU. */
  private reset(source: GeoJSONSource): void {
    void source.setData({ type: 'FeatureCollection', features: [] });
    this.map.removeFeatureState({ source: 'control' });
    this.loaded = 0;
    this.shown = new Set();
    this.ids = new WeakMap();
  }
}
