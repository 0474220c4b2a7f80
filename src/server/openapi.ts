/**
 * The OpenAPI 3.1 document, generated from the same endpoint declarations that validate
 * requests, so that /openapi.json describes exactly what the server accepts.
 */
import type { Endpoint } from './endpoint.js';
import { openApiParameters } from './params.js';
import { SCHEMAS, schemaRef } from './schemas.js';

const errorResponse = (description: string): object => ({ description, content: { 'application/json': { schema: schemaRef('Error') } } });

/** The 200 answer's content: one schema per media type (one of two schemas when an alternative shares the media type). */
function content(e: Endpoint): Record<string, { schema: object }> {
  const main = e.response.mediaType ?? 'application/json';
  const alt = e.response.alternative;
  if (!alt) return { [main]: { schema: e.response.schema } };
  const other = alt.mediaType ?? 'application/json';
  if (other === main) return { [main]: { schema: { oneOf: [e.response.schema, alt.schema] } } };
  return { [main]: { schema: e.response.schema }, [other]: { schema: alt.schema } };
}

export function openApiDocument(endpoints: Endpoint[], version: string): object {
  const paths: Record<string, object> = {};
  for (const e of endpoints) {
    const cacheNote = {
      immutable: 'Immutable: strong ETag, `Cache-Control: public, max-age=31536000, immutable`.',
      latest: 'Changes when the database does: short max-age and an ETag derived from the database state; send If-None-Match.',
      static: 'Fixed for the running server.',
    }[e.cache];
    const oneOf = (e.exactlyOne ?? []).map((g) => `Give exactly one of ${g.map((k) => `\`${k}\``).join(', ')}.`).join(' ');
    paths[e.path] = {
      get: {
        operationId: e.path.replace(/^\/api\/v1\//, '').replace(/[{}]/g, '').replace(/\/(\w)/g, (_, c: string) => c.toUpperCase()).replace(/[^\w]/g, '_'),
        summary: e.summary,
        description: [e.description, oneOf, cacheNote].filter(Boolean).join('\n\n'),
        parameters: openApiParameters(e.params),
        responses: {
          200: { description: e.response.description, content: content(e) },
          304: { description: 'Not modified (If-None-Match matched the ETag).' },
          400: errorResponse('A parameter is missing, unknown or malformed; the message names it.'),
          404: errorResponse('No such snapshot, region set or path.'),
          500: errorResponse('Internal error (details only in the server log).'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'frontline API',
      version,
      description: 'Read-only figures of territorial control from the local frontline database: geodesic areas (WGS 84) by side and region, with provenance. Territorial-control data: DeepStateMap (deepstatemap.live); borders © OpenStreetMap contributors, ODbL 1.0.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    paths,
    components: { schemas: SCHEMAS },
  };
}
