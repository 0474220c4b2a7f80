#!/usr/bin/env node
/**
 * frontline: territorial-control figures from the history of control-of-terrain maps.
 * Commands are thin: parse arguments, call sources/store/analytics, format output.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UserError } from '../model/errors.js';
import { importCommand, syncCommand } from './commands/import.js';
import { areaCommand, seriesCommand, snapshotsCommand } from './commands/query.js';
import { regionsCommand } from './commands/regions.js';
import { gazetteerCommand, placeCommand, placesCommand } from './commands/places.js';
import { serveCommand } from './commands/serve.js';
import { changeCommand, frontCommand, ledgerCommand, peakCommand } from './commands/change.js';
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

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  import: importCommand,
  sync: syncCommand,
  regions: regionsCommand,
  area: areaCommand,
  series: seriesCommand,
  snapshots: snapshotsCommand,
  place: placeCommand,
  places: placesCommand,
  gazetteer: gazetteerCommand,
  serve: serveCommand,
  change: changeCommand,
  front: frontCommand,
  peak: peakCommand,
  ledger: ledgerCommand,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    io.out(USAGE);
    return cmd ? 0 : 2;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    io.err(`frontline: unknown command "${cmd}"; run frontline --help`);
    return 2;
  }
  try {
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
