/**
 * An SVG area chart of one figure over time (RU-held ground in Ukraine), linked to the map:
 * hovering shows the figures of the nearest point, clicking moves the timeline to its snapshot.
 * Hand-written: a path, two axes and a marker are all it needs.
 */
import { day, km2 } from './format.js';

export interface ChartPoint { id: string; time: string; value: number; detail: string }

const NS = 'http://www.w3.org/2000/svg';
const W = 640, H = 220, M = { left: 64, right: 12, top: 12, bottom: 26 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export class AreaChart {
  private points: ChartPoint[] = [];
  private readonly root: SVGSVGElement;
  private readonly marker: SVGLineElement;
  private readonly compareMarker: SVGLineElement;
  private readonly hover: SVGGElement;
  private x = (_t: number): number => 0;
  private y = (_v: number): number => 0;
  private t0 = 0;
  private t1 = 1;

  constructor(
    container: HTMLElement,
    private readonly tooltip: HTMLElement,
    private readonly onPick: (p: ChartPoint) => void,
  ) {
    this.root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', preserveAspectRatio: 'none', class: 'chart' });
    this.marker = svg('line', { class: 'chart-marker', y1: M.top, y2: H - M.bottom });
    this.compareMarker = svg('line', { class: 'chart-compare', y1: M.top, y2: H - M.bottom, visibility: 'hidden' });
    this.hover = svg('g', { class: 'chart-hover', visibility: 'hidden' });
    this.hover.append(svg('line', { y1: M.top, y2: H - M.bottom }), svg('circle', { r: 3.5 }));
    container.append(this.root);
    this.root.addEventListener('pointermove', (e) => this.onMove(e));
    this.root.addEventListener('pointerleave', () => this.hide());
    this.root.addEventListener('click', (e) => {
      const p = this.nearest(e);
      if (p) this.onPick(p);
    });
  }

  setData(points: ChartPoint[], label: string): void {
    this.points = points;
    this.root.replaceChildren();
    this.root.setAttribute('aria-label', label);
    if (points.length < 2) return;
    this.t0 = Date.parse(points[0]!.time);
    this.t1 = Date.parse(points[points.length - 1]!.time);
    const values = points.map((p) => p.value);
    const lo = Math.floor((Math.min(...values) * 0.97) / 5000) * 5000;
    const hi = Math.ceil((Math.max(...values) * 1.01) / 5000) * 5000;
    this.x = (t) => M.left + ((t - this.t0) / (this.t1 - this.t0)) * (W - M.left - M.right);
    this.y = (v) => H - M.bottom - ((v - lo) / (hi - lo)) * (H - M.top - M.bottom);

    const axis = svg('g', { class: 'chart-axis' });
    for (let v = lo; v <= hi; v += (hi - lo) / 4) {
      axis.append(svg('line', { x1: M.left, x2: W - M.right, y1: this.y(v), y2: this.y(v) }));
      const t = svg('text', { x: M.left - 6, y: this.y(v) + 4, 'text-anchor': 'end' });
      t.textContent = `${Math.round(v / 1000)}k`;
      axis.append(t);
    }
    const firstYear = new Date(this.t0).getUTCFullYear() + 1, lastYear = new Date(this.t1).getUTCFullYear();
    for (let year = firstYear; year <= lastYear; year++) {
      const x = this.x(Date.UTC(year, 0, 1));
      axis.append(svg('line', { x1: x, x2: x, y1: H - M.bottom, y2: H - M.bottom + 4 }));
      const t = svg('text', { x, y: H - 6, 'text-anchor': 'middle' });
      t.textContent = String(year);
      axis.append(t);
    }
    const unit = svg('text', { x: 4, y: M.top + 2, class: 'chart-unit' });
    unit.textContent = 'km²';
    axis.append(unit);

    let d = '';
    for (const p of points) d += `${d ? 'L' : 'M'}${this.x(Date.parse(p.time)).toFixed(1)},${this.y(p.value).toFixed(1)}`;
    const base = this.y(lo).toFixed(1);
    const area = svg('path', { class: 'chart-area', d: `${d}L${this.x(this.t1).toFixed(1)},${base}L${M.left},${base}Z` });
    const line = svg('path', { class: 'chart-line', d });
    this.root.append(axis, area, line, this.compareMarker, this.marker, this.hover);
  }

  /** Moves the "now" marker (and the compare marker, if any) to these times. */
  mark(time: string, compare?: string): void {
    const place = (line: SVGLineElement, t: string | undefined): void => {
      if (!t || this.points.length < 2) return line.setAttribute('visibility', 'hidden');
      const x = this.x(Math.min(this.t1, Math.max(this.t0, Date.parse(t))));
      line.setAttribute('x1', String(x));
      line.setAttribute('x2', String(x));
      line.setAttribute('visibility', 'visible');
    };
    place(this.marker, time);
    place(this.compareMarker, compare);
  }

  private nearest(e: PointerEvent | MouseEvent): ChartPoint | undefined {
    if (this.points.length < 2) return undefined;
    const r = this.root.getBoundingClientRect();
    const sx = ((e.clientX - r.left) / r.width) * W;
    const t = this.t0 + ((sx - M.left) / (W - M.left - M.right)) * (this.t1 - this.t0);
    let best = this.points[0]!, bestD = Infinity;
    for (const p of this.points) {
      const dist = Math.abs(Date.parse(p.time) - t);
      if (dist < bestD) { best = p; bestD = dist; }
    }
    return best;
  }

  private onMove(e: PointerEvent): void {
    const p = this.nearest(e);
    if (!p) return;
    const x = this.x(Date.parse(p.time)), y = this.y(p.value);
    const [line, dot] = this.hover.children as unknown as [SVGLineElement, SVGCircleElement];
    line.setAttribute('x1', String(x));
    line.setAttribute('x2', String(x));
    dot.setAttribute('cx', String(x));
    dot.setAttribute('cy', String(y));
    this.hover.setAttribute('visibility', 'visible');
    this.tooltip.hidden = false;
    this.tooltip.textContent = `${day(p.time)}: ${km2(p.value)} ${p.detail}`;
    const r = this.root.getBoundingClientRect();
    const px = (x / W) * r.width;
    this.tooltip.style.left = `${Math.min(Math.max(0, px - 90), r.width - 200)}px`;
  }

  private hide(): void {
    this.hover.setAttribute('visibility', 'hidden');
    this.tooltip.hidden = true;
  }
}
