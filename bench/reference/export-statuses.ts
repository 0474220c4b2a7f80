/**
 * Exports the status of every feature of DeepStateMap snapshot files, as frontline's rule set
 * classifies them, for the independent reference (bench/reference/control_area.py).
 *
 * Classification is shared on purpose: the reference checks geometry (validity repair, unions,
 * differences, intersections, geodesic areas), not naming rules. Classification can depend on
 * properties other than the name (fill colours), so statuses are exported per file and per
 * feature index rather than per name. Files are parsed with the importer's own parser so that
 * feature indexes are the importer's; geometry is not exported: the reference reads it itself.
 *
 * usage: node --import tsx bench/reference/export-statuses.ts DIR (all | ID,ID,... | @IDFILE) OUT.json
 * Output: { "ruleset": "deepstate@…", "files": { "<id>": ["occupied", null, "contested", …] } }
 * where null marks every feature that is not territory for the model (ignored, not-territory,
 * unmatched).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFeatureCollection } from '../../src/geometry/geojson.js';
import { readSnapshotFile } from '../../src/sources/files.js';
import { ruleSetClassifier } from '../../src/rules/classifier.js';

export type ExportedStatus = 'occupied' | 'dismissed' | 'contested' | null;

export interface StatusExport {
  ruleset: string;
  files: Record<string, ExportedStatus[]>;
}

const FILE = /^(\d{9,11})\.geojson$/;

/** Snapshot ids in `dir`, oldest first. */
export function snapshotIds(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => FILE.exec(f)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort((a, b) => Number(a) - Number(b));
}

/** Parses "all", "ID,ID,…" or "@FILE" (ids separated by whitespace or commas). */
export function parseIdList(spec: string, dir: string): string[] {
  if (spec === 'all') return snapshotIds(dir);
  const text = spec.startsWith('@') ? readFileSync(spec.slice(1), 'utf8') : spec;
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

export function exportStatuses(dir: string, ids: string[]): StatusExport {
  const classifier = ruleSetClassifier('deepstate');
  const files: Record<string, ExportedStatus[]> = {};
  for (const id of ids) {
    const path = join(dir, `${id}.geojson`);
    const features = parseFeatureCollection(readSnapshotFile(path), path);
    files[id] = features.map((f) => {
      const c = classifier.classify({ geometryType: f.geometry.type, properties: f.properties });
      return c.status === 'occupied' || c.status === 'dismissed' || c.status === 'contested' ? c.status : null;
    });
  }
  return { ruleset: classifier.id, files };
}

function main(argv: string[]): number {
  const [dir, spec, out] = argv;
  if (!dir || !spec || !out) {
    process.stderr.write('usage: export-statuses.ts DIR (all | ID,ID,... | @IDFILE) OUT.json\n');
    return 2;
  }
  const result = exportStatuses(dir, parseIdList(spec, dir));
  writeFileSync(out, JSON.stringify(result));
  process.stderr.write(`${Object.keys(result.files).length} files classified with ${result.ruleset} -> ${out}\n`);
  return 0;
}

if (process.argv[1] !== undefined && /export-statuses\.[jt]s$/.test(process.argv[1])) process.exitCode = main(process.argv.slice(2));
