/** Compare mode's totals: the ground each side gained and lost between two snapshots (/api/v1/change). */
import type { Provenance, Side, SnapshotRef } from './api.js';
import { el, km2, signedKm2, utc } from './format.js';

export interface ChangeRow { region: string; side: Side; from_km2: number; to_km2: number; gained_km2: number; lost_km2: number; net_km2: number }
export interface ChangeResult { from: SnapshotRef; to: SnapshotRef; provenance: Provenance; rows: ChangeRow[] }

export function renderCompare(box: HTMLElement, c: ChangeResult): void {
  const row = (region: string, side: Side): ChangeRow | undefined => c.rows.find((r) => r.region === region && r.side === side);
  const line = (key: string, label: string, r: ChangeRow | undefined): HTMLElement[] =>
    r
      ? [el('dt', {}, label), el('dd', { 'data-change': key, 'data-gained': String(r.gained_km2), 'data-lost': String(r.lost_km2), 'data-net': String(r.net_km2) },
          `gained ${km2(r.gained_km2)} · lost ${km2(r.lost_km2)} · `,
          el('strong', {}, `net ${signedKm2(r.net_km2)}`))]
      : [];
  box.dataset.from = c.from.id;
  box.dataset.to = c.to.id;
  box.replaceChildren(
    el('p', {}, 'From ', el('time', { datetime: c.from.time }, utc(c.from.time)), ` (id ${c.from.id}) to `,
      el('time', { datetime: c.to.time }, utc(c.to.time)), ` (id ${c.to.id})`),
    el('dl', { class: 'figures' },
      ...line('ukraine-ru', 'Russia, in Ukraine', row('Ukraine', 'RU')),
      ...line('ukraine-contested', 'Contested, in Ukraine', row('Ukraine', 'contested')),
      ...line('russia-ua', 'Ukraine, in Russia', row('Russia', 'UA'))),
  );
}
