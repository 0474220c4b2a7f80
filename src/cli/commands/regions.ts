import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { UserError } from '../../model/errors.js';
import { parseFeatureCollection, polygonsOf } from '../../geometry/geojson.js';
import { encodeGeometry } from '../../geometry/codec.js';
import { readSnapshotFile } from '../../sources/files.js';
import { COUNTRIES } from '../../analytics/figures.js';
import { openStore, type Io } from '../context.js';

export async function regionsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, 'name-field': { type: 'string' } } });
  const [verb, name, file] = positionals;
  if (verb === 'list') {
    const store = openStore(values.db, { mustExist: true });
    try {
      io.out([COUNTRIES + ' (built in: Ukraine, Russia)', ...store.regionSetNames()].join('\n'));
    } finally {
      store.close();
    }
    return 0;
  }
  if (verb !== 'add' || !name || !file) throw new UserError('usage: frontline regions add SET FILE --name-field FIELD | frontline regions list');
  if (name === COUNTRIES) throw new UserError(`"${COUNTRIES}" is built in; choose another name for the region set`);
  const field = values['name-field'];
  if (!field) throw new UserError('regions add needs --name-field FIELD (the property that names each region)');
  const text = readSnapshotFile(file);
  const features = parseFeatureCollection(text, file);
  const seen = new Set<string>();
  const regions = features.map((f, i) => {
    const v = f.properties[field];
    if (typeof v !== 'string' || !v.trim()) {
      const has = Object.keys(f.properties).slice(0, 8).join(', ');
      throw new UserError(`${file}: feature ${i} has no "${field}" property (it has: ${has || 'no properties'})`);
    }
    if (seen.has(v)) throw new UserError(`${file}: two regions are named ${JSON.stringify(v)} in "${field}"`);
    seen.add(v);
    if (!polygonsOf(f.geometry).length) throw new UserError(`${file}: region ${JSON.stringify(v)} has no polygon geometry`);
    return { name: v, geom: encodeGeometry(f.geometry) };
  });
  if (!regions.length) throw new UserError(`${file}: no regions`);
  const store = openStore(values.db);
  try {
    store.transaction(() => store.putRegionSet(name, file, field, createHash('sha1').update(text).digest('hex'), regions));
  } finally {
    store.close();
  }
  io.out(`region set "${name}": ${regions.length} regions from ${file}`);
  return 0;
}
