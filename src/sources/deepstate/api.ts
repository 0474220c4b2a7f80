/**
 * The live DeepStateMap API as a SnapshotSource.
 *
 *   GET /api/history/public        the list of versions: [{ id, datetime, ... }, ...]
 *   GET /api/history/{id}/geojson  one version as a GeoJSON FeatureCollection
 *   GET /api/history/last          the newest version: { id, map, ... } (only its id is used)
 *
 * A version's id is its update time in Unix seconds; the time of a ref is taken from the id.
 *
 * Every request has its own timeout and is retried on network errors, timeouts, HTTP 5xx
 * and 429 (honouring Retry-After), and on bodies that are incomplete or not what the endpoint
 * serves (a truncated body fails to parse). Other 4xx statuses fail at once. Errors carry a
 * one-line message that names the URL, what went wrong and how many attempts were made.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../model/errors.js';
import type { RawSnapshot, SnapshotRef, SnapshotSource } from '../source.js';

export const DEFAULT_BASE_URL = 'https://deepstatemap.live';

export interface RetryInfo {
  url: string;
  /** The attempt that failed, counting from 1. */
  attempt: number;
  /** One line: what went wrong. */
  error: string;
  /** How long the client waits before the next attempt. */
  delayMs: number;
}

export interface DeepStateApiOptions {
  /** Default https://deepstatemap.live; a trailing slash is ignored. */
  baseUrl?: string;
  /** Per-request timeout, covering headers and body. Default 30000. */
  timeoutMs?: number;
  /** Retries after the first attempt, so at most retries + 1 attempts. Default 4. */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 500. */
  backoffMs?: number;
  /** Cap on any single wait, backoff or Retry-After. Default 30000. */
  maxDelayMs?: number;
  fetchImpl?: typeof fetch;
  onRetry?: (info: RetryInfo) => void;
}

/** One entry of /api/history/public as far as this client relies on it. */
export interface HistoryEntry {
  id: number | string;
  datetime?: string;
  [key: string]: unknown;
}

/** Thrown when a request fails for good. `status` is set when the last failure was an HTTP status. */
export class DeepStateApiError extends UserError {
  constructor(
    message: string,
    readonly url: string,
    readonly attempts: number,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message);
    this.name = 'DeepStateApiError';
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** A failure of one attempt; `retryable` decides whether another attempt is made. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(oneLine(message));
    if (options && 'cause' in options) (this as { cause?: unknown }).cause = options.cause;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** "fetch failed (connect ECONNREFUSED 127.0.0.1:1)" rather than just "fetch failed". */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return oneLine(String(err));
  let msg = err.message || err.name;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const detail = cause.message || (typeof code === 'string' ? code : '');
    if (detail && detail !== msg) msg += ` (${detail})`;
  }
  return oneLine(msg);
}

/** Parses a list of ids leniently: numbers or numeric strings, positive integers only. */
function parseId(value: unknown): string | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value);
  else return undefined;
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  return String(n);
}

function refFromId(id: string): SnapshotRef {
  return { id, time: new Date(Number(id) * 1000) };
}

/**
 * Turns the JSON of /api/history/public into refs sorted by time, without duplicates.
 * Entries without a usable id are skipped; a body that is not an array, or an array with
 * entries but no usable id at all, is rejected.
 */
export function parseHistoryList(json: unknown): SnapshotRef[] {
  if (!Array.isArray(json)) throw new Error(`expected a JSON array, got ${jsonKind(json)}`);
  const ids = new Set<string>();
  for (const entry of json as unknown[]) {
    if (entry === null || typeof entry !== 'object') continue;
    const id = parseId((entry as Partial<HistoryEntry>).id);
    if (id !== undefined) ids.add(id);
  }
  if (json.length > 0 && ids.size === 0) throw new Error(`none of ${json.length} entries has a numeric id`);
  return [...ids].map(refFromId).sort((a, b) => a.time.getTime() - b.time.getTime());
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function checkFeatureCollection(json: unknown): void {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`expected a GeoJSON FeatureCollection, got ${jsonKind(json)}`);
  }
  const o = json as { type?: unknown; features?: unknown };
  if (o.type !== 'FeatureCollection') {
    throw new Error(`expected a GeoJSON FeatureCollection, got type ${JSON.stringify(o.type ?? null)}`);
  }
  if (!Array.isArray(o.features)) throw new Error('FeatureCollection has no features array');
}

function latestFromJson(json: unknown): SnapshotRef {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`expected a JSON object, got ${jsonKind(json)}`);
  }
  const id = parseId((json as { id?: unknown }).id);
  if (id === undefined) throw new Error('no numeric id in the response');
  return refFromId(id);
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds; undefined if absent or unusable. */
function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

export class DeepStateApiSource implements SnapshotSource {
  readonly name = 'deepstate';
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxDelayMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly onRetry?: (info: RetryInfo) => void;

  constructor(options: DeepStateApiOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = Math.max(0, Math.floor(options.retries ?? 4));
    this.backoffMs = Math.max(0, options.backoffMs ?? 500);
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 30_000);
    this.fetchImpl = options.fetchImpl ?? globalThis.fetch;
    this.onRetry = options.onRetry;
  }

  historyUrl(): string {
    return `${this.baseUrl}/api/history/public`;
  }

  snapshotUrl(id: string): string {
    return `${this.baseUrl}/api/history/${encodeURIComponent(id)}/geojson`;
  }

  latestUrl(): string {
    return `${this.baseUrl}/api/history/last`;
  }

  async list(signal?: AbortSignal): Promise<SnapshotRef[]> {
    const { json } = await this.request(this.historyUrl(), signal, (j) => void parseHistoryList(j));
    return parseHistoryList(json);
  }

  async fetch(ref: SnapshotRef, signal?: AbortSignal): Promise<RawSnapshot> {
    const id = parseId(ref.id);
    if (id === undefined || id !== ref.id) {
      throw new DeepStateApiError(`DeepStateMap API: not a snapshot id: ${JSON.stringify(ref.id)}`, this.baseUrl, 0);
    }
    const url = this.snapshotUrl(id);
    const { text } = await this.request(url, signal, checkFeatureCollection);
    return { id: ref.id, time: ref.time, text, origin: url };
  }

  /** The newest version, from /api/history/last. */
  async latest(signal?: AbortSignal): Promise<SnapshotRef> {
    const { json } = await this.request(this.latestUrl(), signal, (j) => void latestFromJson(j));
    return latestFromJson(json);
  }

  /**
   * GETs `url` until a complete body arrives that parses as JSON and passes `validate`,
   * retrying what can be retried. Returns the exact text received and its parse.
   */
  private async request(
    url: string,
    signal: AbortSignal | undefined,
    validate: (json: unknown) => void,
  ): Promise<{ text: string; json: unknown }> {
    const attempts = this.retries + 1;
    signal?.throwIfAborted();
    for (let attempt = 1; ; attempt++) {
      let failure: AttemptError;
      try {
        return await this.attempt(url, signal, validate);
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        if (!(err instanceof AttemptError)) throw err;
        failure = err;
      }
      if (!failure.retryable) {
        throw new DeepStateApiError(`DeepStateMap API: ${url}: ${failure.message}`, url, attempt, failure.status, {
          cause: failure,
        });
      }
      if (attempt >= attempts) {
        const n = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
        throw new DeepStateApiError(`DeepStateMap API: ${url}: ${failure.message} after ${n}`, url, attempts, failure.status, {
          cause: failure,
        });
      }
      const delayMs = this.delay(attempt, failure.retryAfterMs);
      this.onRetry?.({ url, attempt, error: failure.message, delayMs });
      await sleep(delayMs, undefined, signal ? { signal } : undefined).catch((err: unknown) => {
        throw signal?.aborted ? signal.reason : err;
      });
      signal?.throwIfAborted();
    }
  }

  /** Exponential backoff with jitter (between half and all of the step), or Retry-After; capped. */
  private delay(attempt: number, retryAfterMs: number | undefined): number {
    if (retryAfterMs !== undefined) return Math.round(Math.min(retryAfterMs, this.maxDelayMs));
    const step = Math.min(this.backoffMs * 2 ** (attempt - 1), this.maxDelayMs);
    return Math.round(step / 2 + (Math.random() * step) / 2);
  }

  private async attempt(
    url: string,
    signal: AbortSignal | undefined,
    validate: (json: unknown) => void,
  ): Promise<{ text: string; json: unknown }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    // A failed request or body read: a timeout if ours fired, else whatever the error says.
    const failed = (stage: string | undefined, err: unknown): AttemptError => {
      const message =
        timeout.aborted && !signal?.aborted
          ? `timed out (limit ${this.timeoutMs} ms)${stage ? ` ${stage}` : ''}`
          : `${stage ? `${stage}: ` : ''}${describe(err)}`;
      return new AttemptError(message, true, undefined, undefined, { cause: err });
    };

    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        signal: combined,
        headers: { accept: 'application/json', 'user-agent': 'frontline' },
        redirect: 'follow',
      });
    } catch (err) {
      throw failed(undefined, err);
    }
    signal?.throwIfAborted();

    if (!res.ok) {
      // Free the connection; the body of an error response is of no use here.
      await res.body?.cancel().catch(() => undefined);
      signal?.throwIfAborted();
      const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (res.status === 429 || res.status === 503) {
        throw new AttemptError(status, true, res.status, parseRetryAfter(res.headers.get('retry-after')));
      }
      if (res.status >= 500) throw new AttemptError(status, true, res.status);
      throw new AttemptError(status, false, res.status);
    }

    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      throw failed('reading the body', err);
    }
    signal?.throwIfAborted();

    // Content-Length counts the bytes on the wire, which differ from what arrayBuffer() gives
    // when the body was content-encoded; only an identity body can be checked this way.
    const length = res.headers.get('content-length');
    const encoding = (res.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (length !== null && /^\d+$/.test(length.trim()) && encoding === 'identity') {
      const expected = Number(length);
      if (bytes.byteLength !== expected) {
        throw new AttemptError(`incomplete body: received ${bytes.byteLength} of ${expected} bytes`, true);
      }
    }

    const text = textDecoder.decode(bytes);
    let json: unknown;
    try {
      json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (err) {
      throw new AttemptError(`invalid JSON (${bytes.byteLength} bytes): ${describe(err)}`, true, undefined, undefined, {
        cause: err,
      });
    }
    try {
      validate(json);
    } catch (err) {
      throw new AttemptError(`unexpected body: ${describe(err)}`, true, undefined, undefined, { cause: err });
    }
    return { text, json };
  }
}

/** The id of the newest version on the live map (or at `options.baseUrl`). */
export async function latestId(options: DeepStateApiOptions = {}, signal?: AbortSignal): Promise<string> {
  return (await new DeepStateApiSource(options).latest(signal)).id;
}
