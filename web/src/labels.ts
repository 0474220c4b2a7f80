/**
 * Settlement labels drawn on a 2D canvas over the map, not as MapLibre symbol layers: symbol
 * layers need glyph PBFs, which would mean generating and shipping a font's glyph ranges (for
 * Latin and Cyrillic, several hundred KB) or fetching them from a CDN at run time. A canvas uses
 * the system's sans-serif font, costs nothing to download, and a few hundred labels with greedy
 * collision boxes (largest places first) redraw in well under a millisecond per frame.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import { COLORS } from './colors.js';

export interface LabelPlace { name: string; country: string; population: number; lon: number; lat: number }

/** Smallest population labelled at a zoom; collisions thin the rest. */
function minPopulation(zoom: number): number {
  if (zoom < 4.5) return 1_000_000;
  if (zoom < 5.5) return 300_000;
  if (zoom < 6.5) return 90_000;
  if (zoom < 7.5) return 30_000;
  return 0;
}

export class LabelLayer {
  private readonly canvas: HTMLCanvasElement;
  private places: LabelPlace[] = [];
  private highlighted: LabelPlace | undefined;
  private frame = 0;

  constructor(private readonly map: MapLibreMap) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'label-layer';
    this.canvas.setAttribute('aria-hidden', 'true');
    map.getCanvasContainer().appendChild(this.canvas);
    map.on('render', () => this.schedule());
    map.on('resize', () => this.schedule());
  }

  setPlaces(places: LabelPlace[]): void {
    this.places = [...places].sort((a, b) => b.population - a.population);
    this.schedule();
  }

  /** A place drawn on top of the rest, always, e.g. the one picked in the search box. */
  highlight(place: LabelPlace | undefined): void {
    this.highlighted = place;
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const { clientWidth: w, clientHeight: h } = this.map.getContainer();
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * ratio) || this.canvas.height !== Math.round(h * ratio)) {
      this.canvas.width = Math.round(w * ratio);
      this.canvas.height = Math.round(h * ratio);
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    const boxes: [number, number, number, number][] = [];
    const fits = (b: [number, number, number, number]): boolean =>
      !boxes.some((o) => b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]);
    const min = minPopulation(this.map.getZoom());
    const list = this.highlighted ? [this.highlighted, ...this.places] : this.places;
    for (const p of list) {
      const isHighlight = p === this.highlighted;
      if (!isHighlight && p.population < min) continue;
      const { x, y } = this.map.project([p.lon, p.lat]);
      if (x < -50 || y < -20 || x > w + 50 || y > h + 20) continue;
      const size = isHighlight ? 15 : p.population >= 1_000_000 ? 14 : p.population >= 200_000 ? 12.5 : 11.5;
      ctx.font = `${isHighlight || p.population >= 500_000 ? 600 : 400} ${size}px system-ui, sans-serif`;
      const tw = ctx.measureText(p.name).width;
      const box: [number, number, number, number] = [x - 4, y - size / 2 - 2, x + 8 + tw, y + size / 2 + 2];
      if (!isHighlight && !fits(box)) continue;
      boxes.push(box);
      ctx.beginPath();
      ctx.arc(x, y, isHighlight ? 4.5 : 2.5, 0, 2 * Math.PI);
      ctx.fillStyle = isHighlight ? COLORS.gainRu : COLORS.text;
      ctx.fill();
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.lineWidth = 3;
      ctx.strokeText(p.name, x + 6, y);
      ctx.fillStyle = COLORS.text;
      ctx.fillText(p.name, x + 6, y);
    }
  }
}
