/**
 * The one small interface every snapshot source implements. A source lists the snapshots
 * it can provide and fetches one as raw GeoJSON text; parsing, classification and storage
 * happen downstream so that every source gets the same validation and atomicity.
 */
export interface SnapshotRef {
  /** The source's own id for the snapshot (DeepStateMap: update time in Unix seconds). */
  id: string;
  /** When the snapshot was published or is valid from (UTC). */
  time: Date;
}

export interface RawSnapshot extends SnapshotRef {
  /** The snapshot as GeoJSON text, exactly as the source served it. */
  text: string;
  /** Where it came from, for error messages and provenance: a file path or URL. */
  origin: string;
}

export interface SnapshotSource {
  /** The source name stored with every snapshot, e.g. "deepstate". */
  readonly name: string;
  list(signal?: AbortSignal): Promise<SnapshotRef[]>;
  fetch(ref: SnapshotRef, signal?: AbortSignal): Promise<RawSnapshot>;
  /** The snapshot's local file, when it is one: the import then reads it on a worker thread. */
  localPath?(ref: SnapshotRef): string;
}
