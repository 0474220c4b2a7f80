import { parseArgs } from 'node:util';
import { UserError } from '../../model/errors.js';
import { importSource, type ImportReport } from '../../sources/import.js';
import { dailyFolder, deepstateFolder, SingleFileSource, type FolderSource } from '../../sources/files.js';
import { DeepStateApiSource, DEFAULT_BASE_URL } from '../../sources/deepstate/api.js';
import { constantClassifier, ruleSetClassifier } from '../../rules/classifier.js';
import type { SnapshotSource } from '../../sources/source.js';
import { parseDate } from '../dates.js';
import { progressBar } from '../progress.js';
import { openStore, type Io } from '../context.js';
import { refreshSource } from '../refresh.js';

const STATUSES = ['occupied', 'held', 'contested'] as const;

function summary(r: ImportReport, io: Io): void {
  io.out(`${r.source}: ${r.snapshotsAdded} snapshots added (${r.snapshotsSeen - r.snapshotsAdded} already stored), ${r.featuresAdded} features added, ${r.unclassified.size} feature names not classified (rule set ${r.ruleset})`);
  for (const [name, n] of [...r.unclassified].sort((a, b) => b[1] - a[1])) io.out(`  not classified: ${JSON.stringify(name)} (${n} features)`);
}

export async function importCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, source: { type: 'string' }, date: { type: 'string' }, status: { type: 'string' }, 'no-figures': { type: 'boolean' } },
  });
  const [kind, input] = positionals;
  if (!kind || !input) throw new UserError('usage: frontline import deepstate <dir|archive|URL> | daily <dir|archive> | geojson <file> --source NAME --date D --status occupied|held|contested');
  let source: SnapshotSource;
  let classifier;
  let live = false;
  if (kind === 'deepstate') {
    if (/^https?:\/\//.test(input)) {
      source = new DeepStateApiSource({ baseUrl: input, onRetry: (i) => io.err(`retrying ${i.url} (attempt ${i.attempt}: ${i.error})`) });
      live = true;
    } else source = deepstateFolder(input);
    classifier = ruleSetClassifier('deepstate');
  } else if (kind === 'daily') {
    source = dailyFolder(input, values.source ?? 'deepstate-daily');
    classifier = constantClassifier(source.name, 'occupied');
  } else if (kind === 'geojson') {
    if (!values.source) throw new UserError('import geojson needs --source NAME');
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(values.source)) throw new UserError(`--source ${JSON.stringify(values.source)}: use letters, digits, dot, dash or underscore`);
    const status = values.status as (typeof STATUSES)[number] | undefined;
    if (!status || !STATUSES.includes(status)) throw new UserError(`import geojson needs --status occupied|held|contested${values.status ? `, not ${JSON.stringify(values.status)}` : ''}`);
    source = new SingleFileSource(values.source, input, parseDate(values.date, '--date'));
    // "held" is ground a side holds outside its own borders; in the control model that is "dismissed"
    classifier = constantClassifier(values.source, status === 'held' ? 'dismissed' : status);
  } else throw new UserError(`unknown import kind "${kind}"; expected deepstate, daily or geojson`);
  return runImport(source, classifier, { db: values.db, live, figures: !values['no-figures'] }, io);
}

export async function runImport(source: SnapshotSource, classifier: ReturnType<typeof ruleSetClassifier>, opts: { db?: string; live: boolean; figures: boolean }, io: Io): Promise<number> {
  const store = openStore(opts.db);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const report = await importSource(store, source, classifier, { commitEach: opts.live, signal: controller.signal, onProgress: progressBar(`import ${source.name}`) });
    if (opts.figures && report.snapshotsAdded > 0) await refreshSource(store, source.name, io);
    summary(report, io);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    (source as Partial<FolderSource>).close?.();
    store.close();
  }
}

export async function syncCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, url: { type: 'string' } } });
  const baseUrl = values.url ?? process.env.FRONTLINE_DEEPSTATE_URL ?? DEFAULT_BASE_URL;
  const source = new DeepStateApiSource({ baseUrl, onRetry: (i) => io.err(`retrying ${i.url} (attempt ${i.attempt}: ${i.error})`) });
  return runImport(source, ruleSetClassifier('deepstate'), { db: values.db, live: true, figures: true }, io);
}
