/**
 * `frontline ledger`: the ground each side holds of the other's country, and a buffer strip
 * along the front.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../../model/errors.js';
import { ledger, type LedgerResult } from '../../analytics/ledger.js';
import { parseDate } from '../dates.js';
import { grouped, km2, snapLine, table } from '../format.js';
import { withQuery, type Io } from '../context.js';

function humanLedger(r: LedgerResult): string {
  const out = [snapLine('at', r.snapshot)];
  for (const h of r.holdings) {
    out.push(`\n${h.side} holds ${km2(h.km2)} km² of ${h.in_country} (${km2(h.contested_km2)} km² more contested there)`);
    if (h.regions.length) out.push(table(['region', 'km²'], h.regions.map((x) => [x.region, km2(x.km2)]), [false, true]));
    out.push(`${h.places.count} places (${grouped(h.places.population)} people by GeoNames population)${h.places.largest.length ? ', largest: ' + h.places.largest.map((p) => `${p.name} (${p.population == null ? '?' : grouped(p.population)})`).join(', ') : ''}`);
  }
  if (r.buffer) {
    const b = r.buffer;
    out.push(`\nbuffer strip ${b.km} km on each side of the front: ${km2(b.km2)} km² on land (RU side ${km2(b.by_side.RU)}, UA side ${km2(b.by_side.UA)}, contested ${km2(b.by_side.contested)})`);
    out.push(`${b.places.count} places inside (${grouped(b.places.population)} people)${b.places.largest.length ? ', largest: ' + b.places.largest.map((p) => `${p.name} (${p.population == null ? '?' : grouped(p.population)})`).join(', ') : ''}`);
  }
  out.push(`\nregions ${r.provenance.regions}; rule set ${r.provenance.ruleset}; method ${r.provenance.method}; places: GeoNames (CC BY 4.0)`);
  return out.join('\n');
}

export async function ledgerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, at: { type: 'string' }, regions: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, 'buffer-km': { type: 'string' } } });
  const at = parseDate(values.at, '--at', true);
  let bufferKm: number | undefined;
  if (values['buffer-km'] !== undefined) {
    bufferKm = Number(values['buffer-km']);
    if (!Number.isFinite(bufferKm) || bufferKm <= 0 || bufferKm > 200) throw new UserError(`--buffer-km ${JSON.stringify(values['buffer-km'])}: expected a distance in km between 0 and 200`);
  }
  return withQuery(values, async ({ store, regionSet, figures, snapshot }) => {
    const snap = snapshot(at, '--at');
    const r = await ledger(store, figures, snap, regionSet, bufferKm);
    io.out(values.json ? JSON.stringify(r, null, 2) : humanLedger(r));
    return 0;
  });
}
