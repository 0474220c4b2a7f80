/**
 * `frontline serve [--history PATH|URL]`: the web app and the read-only HTTP API (src/server) on
 * one port, after importing the history if needed (serve-prepare.ts).
 * Runs until SIGINT or SIGTERM, then finishes the requests in flight and exits 0.
 */
import { parseArgs } from 'node:util';
import { defaultDbPath } from '../../store/sqlite.js';
import { FrontlineServer } from '../../server/server.js';
import { defaultWebDir } from '../../server/static.js';
import { UserError } from '../../model/errors.js';
import type { Io } from '../context.js';
import { prepareForServe } from './serve-prepare.js';

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { db: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, web: { type: 'string' }, history: { type: 'string' } } });
  const port = Number(values.port ?? 8080);
  if (!/^\d+$/.test(values.port ?? '8080') || port > 65535) throw new UserError(`--port ${JSON.stringify(values.port)}: expected a port number (0 picks a free one)`);
  const host = values.host ?? '127.0.0.1';
  // import the history if asked (or if there is none yet) and prepare place histories first
  await prepareForServe(defaultDbPath(values.db), values.history, io);
  const server = new FrontlineServer({ db: defaultDbPath(values.db), webDir: values.web ?? defaultWebDir(), log: io.err });
  let url: string;
  try {
    url = await server.listen(port, host);
  } catch (e) {
    server.data.close();
    throw new UserError(`cannot listen on ${host}:${port} (${(e as Error).message})`);
  }
  io.out(`frontline: serving ${url} (API ${url}api/v1/, described at ${url}openapi.json); Ctrl-C stops`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
