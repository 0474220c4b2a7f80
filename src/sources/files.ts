/**
 * Local inputs: folders of snapshot files (DeepStateMap history, daily occupied areas) and
 * .tar.xz archives of them, which are unpacked with the system's tar into a temporary folder.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { UserError } from '../model/errors.js';
import type { RawSnapshot, SnapshotRef, SnapshotSource } from './source.js';

/** Snapshot files larger than this are refused before reading (V8 strings stop at 512 MiB). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

export function readSnapshotFile(path: string): string {
  return readSnapshotBytes(path).toString('utf8');
}

/** A snapshot file's bytes (for digestSnapshot, which reads them faster than their text). */
export function readSnapshotBytes(path: string): Buffer {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new UserError(`${path}: no such file`);
  }
  if (size > MAX_SNAPSHOT_BYTES) {
    throw new UserError(`${path}: file is ${(size / 2 ** 30).toFixed(1)} GiB; a snapshot file may be at most ${MAX_SNAPSHOT_BYTES / 2 ** 20} MiB`);
  }
  return readFileSync(path);
}

/** A folder (or .tar.xz archive) holding snapshot files whose names carry their id. */
export class FolderSource implements SnapshotSource {
  private dir: string;
  private cleanup?: () => void;

  constructor(
    readonly name: string,
    input: string,
    private readonly pattern: RegExp,
    private readonly timeOf: (id: string) => Date,
  ) {
    if (!existsSync(input)) throw new UserError(`${input}: no such file or folder`);
    this.dir = input;
    if (statSync(input).isDirectory()) {
      const archives = readdirSync(input).filter((f) => f.endsWith('.tar.xz'));
      if (!this.matching(input).length && archives.length === 1) this.unpack(join(input, archives[0]!));
    } else if (input.endsWith('.tar.xz')) this.unpack(input);
    else throw new UserError(`${input}: expected a folder of snapshot files or a .tar.xz archive`);
    if (!this.matching(this.dir).length) throw new UserError(`${input}: no snapshot files (${pattern.source}) found`);
  }

  private unpack(archive: string): void {
    const tmp = mkdtempSync(join(tmpdir(), 'frontline-'));
    const r = spawnSync('tar', ['-xJf', archive, '-C', tmp], { encoding: 'utf8' });
    if (r.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new UserError(`${archive}: cannot unpack (${(r.stderr || r.error?.message || 'tar failed').trim().split('\n')[0]})`);
    }
    this.cleanup = () => rmSync(tmp, { recursive: true, force: true });
    const find = (d: string): string | undefined => {
      if (this.matching(d).length) return d;
      for (const e of readdirSync(d)) if (statSync(join(d, e)).isDirectory()) { const f = find(join(d, e)); if (f) return f; }
      return undefined;
    };
    this.dir = find(tmp) ?? tmp;
  }

  private matching(dir: string): string[] {
    return readdirSync(dir).filter((f) => this.pattern.test(f));
  }

  /** id → file name, read once: the folder does not change during an import. */
  private files?: Map<string, string>;

  private byId(): Map<string, string> {
    this.files ??= new Map(this.matching(this.dir).map((f) => [this.pattern.exec(f)![1]!, f]));
    return this.files;
  }

  async list(): Promise<SnapshotRef[]> {
    return [...this.byId().keys()]
      .map((id) => ({ id, time: this.timeOf(id) }))
      .sort((a, b) => a.time.getTime() - b.time.getTime() || a.id.localeCompare(b.id));
  }

  localPath(ref: SnapshotRef): string {
    const file = this.byId().get(ref.id);
    if (!file) throw new UserError(`${this.dir}: no snapshot file for id ${ref.id}`);
    return join(this.dir, file);
  }

  async fetch(ref: SnapshotRef): Promise<RawSnapshot> {
    const path = this.localPath(ref);
    return { ...ref, text: readSnapshotFile(path), origin: path };
  }

  close(): void {
    this.cleanup?.();
  }
}

/** DeepStateMap history: {id}.geojson, id = update time in Unix seconds. */
export function deepstateFolder(input: string): FolderSource {
  return new FolderSource('deepstate', input, /^(\d{9,11})\.geojson$/, (id) => new Date(Number(id) * 1000));
}

/** One dissolved occupied-area file per day: a YYYYMMDD date in the file name; valid from 00:00 UTC. */
export function dailyFolder(input: string, name = 'deepstate-daily'): FolderSource {
  return new FolderSource(name, input, /(?:^|\D)(\d{8})\.geojson$/, (id) => {
    const t = new Date(`${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 8)}T00:00:00Z`);
    if (Number.isNaN(t.getTime())) throw new UserError(`${id}: not a YYYYMMDD date in a daily file name`);
    return t;
  });
}

/** A single GeoJSON file as one snapshot of a named source. */
export class SingleFileSource implements SnapshotSource {
  constructor(readonly name: string, private readonly path: string, private readonly time: Date) {}
  async list(): Promise<SnapshotRef[]> {
    return [{ id: this.time.toISOString().slice(0, 10), time: this.time }];
  }
  async fetch(ref: SnapshotRef): Promise<RawSnapshot> {
    return { ...ref, text: readSnapshotFile(this.path), origin: this.path };
  }
}
