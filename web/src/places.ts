/**
 * Settlement search (/api/v1/places/search, largest first) and the chosen settlement's control
 * over time (/api/v1/place). The list is a plain listbox of buttons: reachable with Tab and
 * arrow keys, announced by screen readers, no widget library.
 */
import { api, getJson, type PlaceHit } from './api.js';
import { el, utc } from './format.js';

/** /api/v1/place (`frontline place --json`): the settlement and who held it, interval by interval. */
export interface PlaceTimeline extends PlaceHit {
  /** `from`: the first snapshot in that state; `to`: the first no longer in it, null while it lasts. */
  history: { side: string; from: string; to: string | null }[];
  credit: string;
}

const people = (n: number | null): string => (n === null ? 'population unknown' : `population ${n.toLocaleString('en-GB')}`);

export class PlaceSearch {
  private request?: AbortController;
  private timer = 0;
  private readonly input: HTMLInputElement;
  private readonly results: HTMLUListElement;
  private readonly status: HTMLElement;

  constructor(
    form: HTMLFormElement,
    private readonly panel: HTMLElement,
    private readonly box: HTMLElement,
    private readonly onSelect: (p: PlaceHit | undefined) => void,
    private readonly currentTime: () => string | undefined,
  ) {
    this.input = form.querySelector('input')!;
    this.results = form.querySelector('ul')!;
    this.status = form.querySelector('#search-status')!;
    this.input.addEventListener('input', () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.search(this.input.value.trim()), 150);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.results.querySelector('button')?.click();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        this.results.querySelector('button')?.focus();
      } else if (e.key === 'Escape') this.close();
    });
    this.results.addEventListener('keydown', (e) => {
      const buttons = [...this.results.querySelectorAll('button')];
      const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const next = i + (e.key === 'ArrowDown' ? 1 : -1);
        (next < 0 ? this.input : buttons[Math.min(next, buttons.length - 1)])?.focus();
      } else if (e.key === 'Escape') {
        this.close();
        this.input.focus();
      }
    });
  }

  private close(): void {
    this.results.hidden = true;
    this.results.replaceChildren();
  }

  private async search(q: string): Promise<void> {
    this.request?.abort();
    if (q.length < 2) return this.close();
    const ctl = (this.request = new AbortController());
    try {
      const hits = await api.search(q, ctl.signal);
      this.results.replaceChildren(...hits.map((h) => {
        const b = el('button', { type: 'button', 'data-place': `${h.name}|${h.country}` },
          el('span', {}, h.name), el('small', {}, ` ${h.country} · ${h.population?.toLocaleString('en-GB') ?? '–'}`));
        b.addEventListener('click', () => void this.select(h));
        return el('li', {}, b);
      }));
      this.results.hidden = hits.length === 0;
      this.status.textContent = hits.length ? `${hits.length} settlements found` : 'No settlement found';
    } catch (e) {
      if (!ctl.signal.aborted) this.status.textContent = `Search failed: ${(e as Error).message}`;
    }
  }

  /** Re-selects a place from the URL ("name|CC"). */
  async restore(value: string): Promise<void> {
    const [name, country] = value.split('|');
    if (!name) return;
    try {
      const hits = await api.search(name);
      const hit = hits.find((h) => h.name === name && (!country || h.country === country)) ?? hits[0];
      if (hit) await this.select(hit, false);
    } catch { /* the place simply stays unselected */ }
  }

  async select(p: PlaceHit, move = true): Promise<void> {
    this.close();
    this.input.value = p.name;
    if (move) this.onSelect(p);
    this.panel.hidden = false;
    this.box.replaceChildren(el('p', {}, `${p.name} (${p.country}) · ${people(p.population)}`), el('p', { class: 'hint' }, 'Loading its control history…'));
    try {
      // near: several places share some names (two Avdiyivkas in Ukraine); the hit's own point decides
      const t = await getJson<PlaceTimeline>('place', { name: p.name, country: p.country, near: `${p.lon},${p.lat}` });
      this.render(p, t);
    } catch (e) {
      this.box.replaceChildren(el('p', {}, `${p.name} (${p.country})`), el('p', { class: 'error' }, `No control history: ${(e as Error).message}`));
    }
    if (!move) this.onSelect(p);
  }

  private render(p: PlaceHit, t: PlaceTimeline): void {
    const now = this.currentTime();
    const names: Record<string, string> = { RU: 'Russia', UA: 'Ukraine', contested: 'contested' };
    const rows = t.history.map((x) => {
      const current = now !== undefined && Date.parse(x.from) <= Date.parse(now) && (x.to === null || Date.parse(now) < Date.parse(x.to));
      return el('tr', { class: current ? 'current' : '', 'data-side': x.side },
        el('td', {}, el('span', { class: `side side-${x.side.toLowerCase()}` }, names[x.side] ?? x.side)),
        el('td', {}, utc(x.from)), el('td', {}, x.to === null ? 'now' : utc(x.to)));
    });
    this.box.replaceChildren(
      el('p', {}, el('strong', {}, t.name), ` (${t.country}) · ${people(t.population)}`),
      el('table', { class: 'place-periods' },
        el('caption', {}, 'Who held it: from the first snapshot in each state to the first no longer in it'),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Held by'), el('th', { scope: 'col' }, 'From'), el('th', { scope: 'col' }, 'Until'))),
        el('tbody', {}, ...rows)),
      el('p', { class: 'hint' }, t.credit),
    );
  }
}
