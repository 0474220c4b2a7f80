/**
 * One declarative description per endpoint: its path, parameters, caching class and response
 * schema, next to the handler. The router validates requests from it and openapi.ts documents
 * the API from it.
 */
import type { ApiData } from './data.js';
import type { ExactlyOne, ParamSpecs, Parsed } from './params.js';

/**
 * How long an answer stays true:
 * - `immutable`: addressed by a stored snapshot, whose data never changes;
 * - `latest`: may change when snapshots are added or flagged, or region sets replaced;
 * - `static`: fixed for the running server (the OpenAPI document).
 */
export type CacheClass = 'immutable' | 'latest' | 'static';

export interface ApiContext {
  data: ApiData;
}

export interface EndpointDef<P extends ParamSpecs> {
  /** OpenAPI path template, e.g. /api/v1/snapshots/{id}/control. */
  path: string;
  summary: string;
  description?: string;
  params: P;
  exactlyOne?: ExactlyOne;
  cache: CacheClass;
  response: { description: string; schema: object; mediaType?: 'application/json' | 'application/geo+json' };
  /** Returns the response body, serialised as JSON. Throws UserError/HttpError for 4xx. */
  handle(params: Parsed<P>, ctx: ApiContext): unknown;
}

export type Endpoint = EndpointDef<ParamSpecs>;

/** Declares an endpoint; the handler's parameters are typed from the declaration. */
export function endpoint<const P extends ParamSpecs>(def: EndpointDef<P>): Endpoint {
  return def as unknown as Endpoint;
}
