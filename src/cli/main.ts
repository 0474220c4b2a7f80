#!/usr/bin/env node
/**
 * frontline: territorial-control figures from the history of control-of-terrain maps.
 * Commands are thin: parse arguments, call sources/store/analytics, format output.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../model/errors.js';
import type { Io } from './context.js';

const USAGE = `frontline — who controls how much, where, from the history of control-of-terrain maps

usage:
  frontline import deepstate <dir | archive.tar.xz | URL>   import a DeepStateMap history
  frontline import daily <dir | archive.tar.xz>             import daily occupied-area files
  frontline import geojson <file> --source NAME --date YYYY-MM-DD --status occupied|held|contested
  frontline sync [--url BASE]                               fetch new DeepStateMap snapshots
  frontline regions add SET FILE --name-field FIELD         import a set of regions
  frontline regions list
  frontline area --at DATE [--regions SET] [--source S] [--json]
  frontline series --from D1 --to D2 [--every snapshot|day|week|month] [--regions SET]
                   [--skip-flagged] [--change | --front] [--json | --csv]
  frontline snapshots [--source S] [--flagged] [--json]
  frontline place NAME [--country CC] [--near LON,LAT] [--source S] [--json]
                                                            a place's control history
  frontline places --at DATE [--side RU|UA|contested] [--regions SET --region NAME]
                   [--limit N] [--source S] [--json]        places and their sides, largest first
  frontline gazetteer add NAME FILE [--name-field F] [--population-field F] [--country-field F]
  frontline gazetteer list                                  lists of places (GeoNames built in)
  frontline serve [--history PATH|URL] [--port 8080] [--host 127.0.0.1] [--web DIR]
                                                            the web app and the read-only HTTP API
  frontline change --from D1 --to D2 [--regions SET] [--region NAME] [--places] [--json] [--geojson OUT]
  frontline front --at DATE [--regions SET] [--json] [--geojson OUT]
  frontline peak --side UA|RU --regions SET --region NAME --from D1 --to D2 [--at D3] [--json]
  frontline ledger --at DATE [--regions SET] [--buffer-km K] [--json]

every command takes --db PATH (default $FRONTLINE_DB, else ./frontline.db)`;

type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Each command's module is loaded when the command runs: a query then does not pay for parsing
 * the importers, the server and the gazetteer at start-up.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  import: async () => (await import('./commands/import.js')).importCommand,
  sync: async () => (await import('./commands/import.js')).syncCommand,
  regions: async () => (await import('./commands/regions.js')).regionsCommand,
  area: async () => (await import('./commands/query.js')).areaCommand,
  series: async () => (await import('./commands/query.js')).seriesCommand,
  snapshots: async () => (await import('./commands/query.js')).snapshotsCommand,
  place: async () => (await import('./commands/places.js')).placeCommand,
  places: async () => (await import('./commands/places.js')).placesCommand,
  gazetteer: async () => (await import('./commands/places.js')).gazetteerCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  change: async () => (await import('./commands/change.js')).changeCommand,
  front: async () => (await import('./commands/front.js')).frontCommand,
  peak: async () => (await import('./commands/peak.js')).peakCommand,
  ledger: async () => (await import('./commands/ledger.js')).ledgerCommand,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE);
    return cmd ? 0 : 2;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    io.err(`frontline: unknown command "${cmd}"; run frontline --help`);
    return 2;
  }
  try {
    const run = await load();
    return await run(rest, io);
  } catch (e) {
    if (e instanceof UserError) {
      io.err(`frontline ${cmd}: ${e.message}`);
      return e.exitCode;
    }
    const code = (e as { code?: string }).code;
    if (code?.startsWith('ERR_PARSE_ARGS')) {
      // Node's messages run over several lines; the first says what was wrong
      io.err(`frontline ${cmd}: ${(e as Error).message.split('\n')[0]}`);
      return 2;
    }
    if ((e as Error).name === 'AbortError') {
      io.err(`frontline ${cmd}: interrupted; nothing from the unfinished snapshot was stored`);
      return 130;
    }
    throw e;
  }
}

const isEntry = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  const io: Io = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };
  main(process.argv.slice(2), io).then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      process.stderr.write(`frontline: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    },
  );
}
