/**
 * JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the API's responses: the shapes that
 * `frontline area --json` and friends print. They go into /openapi.json under
 * components/schemas; the API tests validate real responses against them.
 */
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });

export const SCHEMAS: Record<string, object> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'string', description: 'One line: what was wrong, naming the parameter.' } },
  },
  Snapshot: {
    type: 'object',
    required: ['source', 'id', 'time', 'flag'],
    properties: {
      source: { type: 'string', example: 'deepstate' },
      id: { type: 'string', description: "The source's own snapshot id (DeepStateMap: its update time in Unix seconds).", example: '1741873398' },
      time: { type: 'string', format: 'date-time', example: '2025-03-13T13:43:18Z' },
      flag: { type: ['string', 'null'], description: 'Why the snapshot was flagged as implausible, or null.' },
    },
  },
  SnapshotList: {
    type: 'object',
    required: ['source', 'snapshots'],
    properties: {
      source: { type: 'string' },
      snapshots: {
        type: 'array',
        description: 'Oldest first.',
        items: {
          type: 'object',
          required: ['id', 'time', 'flag'],
          properties: { id: { type: 'string' }, time: { type: 'string', format: 'date-time' }, flag: { type: ['string', 'null'] } },
        },
      },
    },
  },
  Provenance: {
    type: 'object',
    required: ['source', 'snapshot', 'time', 'ruleset', 'borders', 'regions', 'method'],
    properties: {
      source: { type: 'string' },
      snapshot: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      ruleset: { type: 'string', description: 'Classification rule set and version.' },
      borders: { type: 'string', description: 'Borders dataset, version and licence.' },
      regions: { type: 'string', description: 'Region set, its origin and content hash.' },
      method: { type: 'string', description: 'Control-model method version.' },
    },
  },
  Area: {
    type: 'object',
    description: 'Exactly the JSON of `frontline area --json`.',
    required: ['snapshot', 'provenance', 'rows'],
    properties: {
      snapshot: ref('Snapshot'),
      provenance: ref('Provenance'),
      rows: {
        type: 'array',
        description: 'RU, UA and contested per region, then the same for "unassigned".',
        items: {
          type: 'object',
          required: ['region', 'side', 'km2', 'share'],
          properties: {
            region: { type: 'string' },
            side: { enum: ['RU', 'UA', 'contested'] },
            km2: { type: 'number', description: 'Geodesic area on WGS 84, km², rounded to 0.1.' },
            share: { type: 'number', minimum: 0, maximum: 1, description: "Of the region's area inside the area of interest." },
          },
        },
      },
    },
  },
  Series: { type: 'array', description: 'Exactly the JSON of `frontline series --json`.', items: ref('Area') },
  RegionSets: {
    type: 'object',
    required: ['sets'],
    properties: {
      sets: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'regions'],
          properties: { name: { type: 'string' }, regions: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
  },
  FeatureCollection: {
    type: 'object',
    description: 'GeoJSON (RFC 7946), WGS 84 longitude/latitude.',
    required: ['type', 'features'],
    properties: {
      type: { const: 'FeatureCollection' },
      features: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'geometry', 'properties'],
          properties: {
            type: { const: 'Feature' },
            properties: { type: 'object' },
            geometry: {
              type: 'object',
              required: ['type', 'coordinates'],
              properties: { type: { enum: ['Polygon', 'MultiPolygon', 'LineString', 'MultiLineString'] }, coordinates: { type: 'array' } },
            },
          },
        },
      },
    },
  },
  RegionFeatureCollection: {
    allOf: [ref('FeatureCollection'), {
      properties: { features: { items: { properties: { properties: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } } } },
    }],
  },
  SnapshotControl: {
    type: 'object',
    required: ['snapshot', 'method', 'cells'],
    properties: {
      snapshot: ref('Snapshot'),
      method: { type: 'string', description: 'Control-model method version the cells were cut with.' },
      cells: { type: 'array', items: { type: 'string' }, description: 'Content keys of the cells that make up the control geometry; fetch unknown ones from /control-cells.' },
    },
  },
  ControlKeys: {
    type: 'object',
    required: ['source', 'method', 'keys', 'snapshots'],
    properties: {
      source: { type: 'string' },
      method: { type: 'string', description: 'Control-model method version the cells were cut with.' },
      keys: { type: 'array', items: { type: 'string' }, description: 'Every distinct cell key of the history, each once, in order of first appearance.' },
      snapshots: {
        type: 'array',
        description: 'Oldest first. A snapshot\'s keys are the previous listed snapshot\'s, without `remove`, with `add` (indexes into `keys`).',
        items: {
          type: 'object',
          required: ['id', 'add', 'remove'],
          properties: {
            id: { type: 'string' },
            add: { type: 'array', items: { type: 'integer', minimum: 0 } },
            remove: { type: 'array', items: { type: 'integer', minimum: 0 } },
          },
        },
      },
    },
  },
  ControlCells: {
    allOf: [ref('FeatureCollection'), {
      properties: {
        features: {
          items: {
            properties: {
              properties: {
                type: 'object',
                required: ['cell'],
                properties: { cell: { type: 'string' }, side: { enum: ['RU', 'UA', 'contested'] }, kind: { const: 'front' } },
              },
            },
          },
        },
      },
    }],
  },
  ControlCellsDelta: {
    type: 'object',
    description: 'The geometry of /control-cells in a compact form (`format=delta`). Every coordinate is an integer in units of 1/`scale` degree (1e-6°: the precision of the GeoJSON form, which rounds to the same integers). A ring or line is a flat array [x0, y0, dx1, dy1, dx2, dy2, …]: x0, y0 is its first point (longitude, latitude), each later pair the difference from the point before it; point k is (x0 + dx1 + … + dxk, y0 + dy1 + … + dyk) / scale. A ring leaves out its last point, which repeats the first: decoders close it again. Decoded, each member equals the geometry of the matching GeoJSON feature, in the same order.',
    required: ['format', 'scale', 'cells'],
    properties: {
      format: { const: 'delta' },
      scale: { const: 1000000, description: 'Units per degree.' },
      cells: {
        type: 'array',
        description: 'One entry per requested key, in the order asked (a key given twice, once). A cell with nothing to draw has only `cell`.',
        items: {
          type: 'object',
          required: ['cell'],
          properties: {
            cell: { type: 'string', description: 'The cell key.' },
            RU: ref('DeltaMultiPolygon'),
            UA: { allOf: [ref('DeltaMultiPolygon')], description: 'Ground Ukraine holds inside Russia (the rest of Ukraine is UA implicitly).' },
            contested: ref('DeltaMultiPolygon'),
            front: {
              type: 'array',
              description: 'Front-line segments (a MultiLineString), each line delta-coded.',
              items: ref('DeltaLine'),
            },
          },
          additionalProperties: false,
        },
      },
    },
    example: { format: 'delta', scale: 1000000, cells: [{ cell: 'JrynD1gNAMDmCkhB2iLW_1YWvOk', RU: [[[37500000, 48000000, 500000, 0, 0, 250000, -500000, 0]]], front: [[37512345, 48234567, 1204, -873, 988, -1020]] }] },
  },
  DeltaMultiPolygon: {
    type: 'array',
    description: 'A MultiPolygon: polygons, each its outer ring then its holes, each ring delta-coded without its closing point.',
    items: { type: 'array', minItems: 1, items: ref('DeltaLine') },
  },
  DeltaLine: {
    type: 'array',
    description: '[x0, y0, dx1, dy1, …] in units of 1/scale degree.',
    items: { type: 'integer' },
    minItems: 2,
  },
};

export { ref as schemaRef };
