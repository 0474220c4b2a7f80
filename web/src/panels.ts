/**
 * The figures beside the map. Every number carries the snapshot it comes from (time and id),
 * and the sources panel shows the provenance the API returned with it, unabridged.
 */
import type { AreaResult, Side } from './api.js';
import { ATTRIBUTION } from './map.js';
import { el, km2, number, share, signedKm2, utc } from './format.js';

const get = (r: AreaResult, region: string, side: Side): { km2: number; share: number } =>
  r.rows.find((x) => x.region === region && x.side === side) ?? { km2: 0, share: 0 };

export function snapshotLine(r: AreaResult): HTMLElement {
  const s = r.snapshot;
  return el('p', { class: 'snapshot-line' },
    'Snapshot ', el('time', { datetime: s.time }, utc(s.time)), ` · ${s.source} id `, el('code', { class: 'snapshot-id' }, s.id),
    ...(s.flag ? [el('span', { class: 'flag' }, ` · flagged: ${s.flag}`)] : []));
}

export function renderFigures(box: HTMLElement, r: AreaResult): void {
  const figure = (key: string, label: string, region: string, side: Side, withShare: boolean): HTMLElement => {
    const f = get(r, region, side);
    return el('div', { class: `figure figure-${side.toLowerCase()}`, 'data-figure': key, 'data-km2': String(f.km2) },
      el('dt', {}, label),
      el('dd', {}, el('strong', {}, km2(f.km2)), withShare ? ` · ${share(f.share)} of Ukraine` : ''));
  };
  box.replaceChildren(
    el('dl', { class: 'figures' },
      figure('ukraine-ru', 'Held by Russia in Ukraine', 'Ukraine', 'RU', true),
      figure('ukraine-contested', 'Contested in Ukraine', 'Ukraine', 'contested', true),
      figure('russia-ua', 'Held by Ukraine in Russia', 'Russia', 'UA', false),
      figure('russia-contested', 'Contested in Russia', 'Russia', 'contested', false)),
    snapshotLine(r),
  );
  box.dataset.snapshot = r.snapshot.id;
}

export function renderRegionTable(table: HTMLTableElement, r: AreaResult, compare: AreaResult | undefined): void {
  // most Russian-held ground first; the ground outside every region last
  const regions = [...new Set(r.rows.map((x) => x.region))]
    .sort((a, b) => Number(a === 'unassigned') - Number(b === 'unassigned') || get(r, b, 'RU').km2 - get(r, a, 'RU').km2 || (a < b ? -1 : 1));
  const head = el('tr', {},
    el('th', { scope: 'col' }, 'Region'),
    el('th', { scope: 'col', class: 'num' }, 'Russia'),
    el('th', { scope: 'col', class: 'num' }, 'share'),
    el('th', { scope: 'col', class: 'num' }, 'Contested'),
    el('th', { scope: 'col', class: 'num' }, 'Ukraine'),
    ...(compare ? [el('th', { scope: 'col', class: 'num', title: `Russia-held area now minus at ${utc(compare.snapshot.time)}` }, 'Δ Russia')] : []));
  const body = regions.map((name) => {
    const ru = get(r, name, 'RU'), ua = get(r, name, 'UA'), c = get(r, name, 'contested');
    const cells = [
      el('th', { scope: 'row' }, name === 'unassigned' ? 'Outside these regions' : name),
      el('td', { class: 'num', 'data-km2': String(ru.km2) }, number(ru.km2)),
      el('td', { class: 'num' }, share(ru.share)),
      el('td', { class: 'num' }, number(c.km2)),
      el('td', { class: 'num' }, number(ua.km2)),
    ];
    if (compare) {
      const delta = Math.round((ru.km2 - get(compare, name, 'RU').km2) * 10) / 10;
      cells.push(el('td', { class: `num delta ${delta > 0 ? 'up' : delta < 0 ? 'down' : ''}`, 'data-km2': String(delta) }, signedKm2(delta).replace(' km²', '')));
    }
    return el('tr', { 'data-region': name }, ...cells);
  });
  const caption = el('caption', {}, `Area by side in km², ${r.provenance.regions.split(' ')[0]}: snapshot ${utc(r.snapshot.time)} (id ${r.snapshot.id})` +
    (compare ? `; Δ against ${utc(compare.snapshot.time)} (id ${compare.snapshot.id})` : ''));
  table.replaceChildren(caption, el('thead', {}, head), el('tbody', {}, ...body));
  table.dataset.snapshot = r.snapshot.id;
  if (compare) table.dataset.compare = compare.snapshot.id;
  else delete table.dataset.compare;
}

export function renderSources(box: HTMLElement, r: AreaResult | undefined): void {
  const html = (s: string): HTMLElement => {
    const p = el('li', {});
    p.innerHTML = s; // our own constant strings with links, never API text
    return p;
  };
  const items: HTMLElement[] = [html(ATTRIBUTION.deepstate), html(ATTRIBUTION.osm), html(ATTRIBUTION.naturalEarth), html(ATTRIBUTION.geonames)];
  const parts: HTMLElement[] = [el('ul', { class: 'credits' }, ...items)];
  if (r) {
    const p = r.provenance;
    parts.push(el('dl', { class: 'provenance' },
      el('dt', {}, 'Snapshot'), el('dd', {}, `${p.source} ${p.snapshot}, ${utc(p.time)}`),
      el('dt', {}, 'Classification rules'), el('dd', {}, p.ruleset),
      el('dt', {}, 'Borders'), el('dd', {}, p.borders),
      el('dt', {}, 'Regions'), el('dd', {}, p.regions),
      el('dt', {}, 'Method'), el('dd', {}, p.method)));
  }
  parts.push(
    el('p', { class: 'hint' }, 'Areas are geodesic (WGS 84 ellipsoid), rounded to 0.1 km². This site shows published map data; it does not track units or positions.'),
    el('p', { class: 'hint' }, 'Map rendering: MapLibre GL JS (BSD-3-Clause). ', el('a', { href: 'licenses.txt' }, 'Licences of the bundled software')),
  );
  box.replaceChildren(...parts);
}
