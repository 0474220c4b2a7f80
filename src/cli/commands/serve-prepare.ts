/**
 * What `frontline serve` does before it listens, so that one command gives a new user the app
 * with the real history loaded:
 *   1. with `--history PATH|URL`, import that DeepStateMap history (a folder or archive, or the
 *      live API) — importing is idempotent, so a second start adds only what is new;
 *   2. without it, on a database that holds no snapshots, fetch the history from the live API;
 *      with no network either, stop with a message that says how to give a local archive;
 *   3. prepare what the read-only server would otherwise compute on every start, in memory:
 *      each place's control history, and the control geometry of every cell of every snapshot
 *      (a few minutes once for the 2022–2025 history; later starts find it stored and only new
 *      snapshots cost anything).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserError } from '../../model/errors.js';
import { DEFAULT_BASE_URL } from '../../sources/deepstate/api.js';
import { ensurePlaceHistories } from '../../analytics/places.js';
import { FigureService } from '../../analytics/figures.js';
import { progressBar } from '../progress.js';
import { openStore, type Io } from '../context.js';
import { importCommand } from './import.js';

export async function prepareForServe(db: string, history: string | undefined, io: Io): Promise<void> {
  if (db !== ':memory:' && !existsSync(db) && !existsSync(dirname(resolve(db)))) {
    throw new UserError(`${db}: no such database, and no folder ${dirname(resolve(db))} to create it in; pass --db PATH (and --history PATH|URL to import a history into it)`);
  }
  const count = (): number => {
    const store = openStore(db);
    try {
      return store.snapshots().length;
    } finally {
      store.close();
    }
  };
  if (history !== undefined) {
    await importCommand(['deepstate', history, '--db', db], io);
  } else if (count() === 0) {
    const url = process.env.FRONTLINE_DEEPSTATE_URL ?? DEFAULT_BASE_URL;
    io.err(`frontline serve: ${db} holds no snapshots; fetching the DeepStateMap history from ${url} …`);
    try {
      await importCommand(['deepstate', url, '--db', db], io);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      throw new UserError(`${db} holds no snapshots and the live DeepStateMap API cannot be reached (${e.message}); give a local copy of the history: frontline serve --history ../shared/data/deepstate`);
    }
    if (count() === 0) throw new UserError(`${db} still holds no snapshots after fetching from ${url}; give a local copy of the history: frontline serve --history ../shared/data/deepstate`);
  }
  const store = openStore(db);
  try {
    const figures = new FigureService(store);
    const geometry = figures.controlGeometry();
    for (const source of store.sources()) {
      await ensurePlaceHistories(store, source, { figures, progress: progressBar(`places ${source}`) });
      const snaps = store.snapshots(source);
      const bar = progressBar(`map ${source}`);
      for (let i = 0; i < snaps.length; i++) {
        await geometry.ensureStored(snaps[i]!);
        bar(i + 1, snaps.length);
      }
    }
  } finally {
    store.close();
  }
}
