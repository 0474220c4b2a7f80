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

export type MediaType = 'application/json' | 'application/geo+json';

/** The media type of an answer to these parameters. */
export function mediaTypeOf(e: Endpoint, params: Readonly<Record<string, unknown>>): MediaType {
  const alt = e.response.alternative;
  if (alt && params[alt.param] === alt.value) return alt.mediaType ?? 'application/json';
  return e.response.mediaType ?? 'application/json';
}

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
  response: {
    description: string;
    schema: object;
    mediaType?: MediaType;
    /**
     * A second representation of the answer, chosen by a query parameter (`param=value`): its own
     * schema and media type, documented as a second content type of the 200 answer.
     */
    alternative?: { param: string; value: string; schema: object; mediaType?: MediaType };
  };
  /** Returns the response body, serialised as JSON. Throws UserError/HttpError for 4xx. */
  handle(params: Parsed<P>, ctx: ApiContext): unknown;
}

export type Endpoint = EndpointDef<ParamSpecs>;

/** Declares an endpoint; the handler's parameters are typed from the declaration. */
export function endpoint<const P extends ParamSpecs>(def: EndpointDef<P>): Endpoint {
  return def as unknown as Endpoint;
}
