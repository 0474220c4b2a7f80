/**
 * Surveys every polygon name in a DeepStateMap history and how the rule set classifies it.
 *
 *   node --import tsx scripts/survey-names.ts [<dir of {id}.geojson files>]
 *
 * Without a directory it uses the shared test data (test/support/data.ts). Prints a Markdown
 * table, one row per distinct normalised name of a non-point feature: how many feature
 * occurrences carry it, the fill colours seen, and the statuses (with the rules that gave
 * them). Ends with totals by status over all features, points included.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { classify, loadRuleSet, normaliseName, type Classification } from '../src/rules/classify.js';
import { deepstateHistoryDir } from '../test/support/data.js';

interface NameRow {
  count: number;
  fills: Map<string, number>;
  outcomes: Map<string, number>;
}

interface FeatureLike {
  geometry?: { type?: unknown } | null;
  properties?: Record<string, unknown> | null;
}

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function cell(text: string): string {
  // U+FFFD is kept: broken UTF-8 is part of what the survey shows.
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/`/g, '\\`') || '*(empty)*';
}

function outcomeLabel(c: Classification): string {
  return c.status === 'unmatched' ? 'UNMATCHED' : `${c.status} (${c.rule})`;
}

async function main(): Promise<void> {
  const dir = process.argv[2] ?? (await deepstateHistoryDir());
  const ruleSet = loadRuleSet('deepstate');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.geojson')).sort();
  if (files.length === 0) throw new Error(`${dir}: no .geojson files`);

  const names = new Map<string, NameRow>();
  const totals = new Map<string, number>();
  for (const file of files) {
    const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as { features?: FeatureLike[] };
    for (const feature of json.features ?? []) {
      const geometryType = typeof feature.geometry?.type === 'string' ? feature.geometry.type : 'null';
      const properties = feature.properties ?? null;
      const result = classify(ruleSet, { geometryType, properties });
      bump(totals, result.status);
      if (result.status === 'not-territory' && geometryType.includes('Point')) continue;
      const name = normaliseName(properties?.name);
      let row = names.get(name);
      if (!row) {
        row = { count: 0, fills: new Map(), outcomes: new Map() };
        names.set(name, row);
      }
      row.count++;
      bump(row.fills, String(properties?.fill ?? '-').toLowerCase());
      bump(row.outcomes, outcomeLabel(result));
    }
  }

  const out: string[] = [];
  out.push(`Rule set ${ruleSet.source} ${ruleSet.version}; ${files.length} files; ${names.size} distinct names.`);
  out.push('');
  out.push('| Name (normalised) | Features | Fill | Status (rule) |');
  out.push('|---|---:|---|---|');
  const sorted = [...names.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const list = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => (m.size > 1 ? `${k} ×${n}` : k))
      .join(', ');
  for (const [name, row] of sorted) {
    out.push(`| ${cell(name)} | ${row.count} | ${list(row.fills)} | ${list(row.outcomes)} |`);
  }
  out.push('');
  out.push('| Status | Features |');
  out.push('|---|---:|');
  for (const [status, n] of [...totals.entries()].sort((a, b) => b[1] - a[1])) out.push(`| ${status} | ${n} |`);
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
