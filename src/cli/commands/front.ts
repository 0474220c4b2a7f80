/**
 * `frontline front`: the line of contact on a date, its length in total and per region.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FrontService, type FrontResult } from '../../analytics/front.js';
import { parseDate } from '../dates.js';
import { km2, snapLine, table } from '../format.js';
import { withQuery, type Io } from '../context.js';

function humanFront(r: FrontResult): string {
  return [
    snapLine('at', r.snapshot),
    `front line: ${km2(r.length_km)} km`,
    table(['region', 'length km'], r.by_region.filter((x) => x.length_km > 0).map((x) => [x.region, km2(x.length_km)]), [false, true]),
    `method: ${r.provenance.front}; regions ${r.provenance.regions}`,
  ].join('\n');
}

export async function frontCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, at: { type: 'string' }, regions: { type: 'string' }, source: { type: 'string' }, json: { type: 'boolean' }, geojson: { type: 'string' } } });
  const at = parseDate(values.at, '--at', true);
  return withQuery(values, async ({ store, regionSet, figures, snapshot }) => {
    const snap = snapshot(at, '--at');
    const service = new FrontService(store, figures);
    const r = await service.front(snap, regionSet);
    if (values.geojson) {
      const { frontGeoJSON } = await import('../../analytics/front-geojson.js');
      writeFileSync(values.geojson, JSON.stringify(await frontGeoJSON(service, snap, r)));
      io.err(`front line written to ${values.geojson}`);
    }
    io.out(values.json ? JSON.stringify(r, null, 2) : humanFront(r));
    return 0;
  });
}
