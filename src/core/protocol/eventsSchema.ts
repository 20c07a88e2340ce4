// The JSON Schema (draft 2020-12) of one `<run>/metrics.jsonl` line (a TrainerEvent), generated from the
// protocol's field table EVENT_FIELDS (trainer.ts), the same table isTrainerEvent checks against.
// Committed as schemas/events.schema.json; a unit test keeps the file equal to this generator.
import { EVENT_FIELDS, FieldKind, FieldSpec, TRAINER_EVENT_TYPES } from './trainer';

export const EVENTS_SCHEMA_ID = 'urn:spo-studio:schema:events';

type Json = Record<string, unknown>;

function kindSchema(kind: FieldKind): Json {
  if (typeof kind === 'object') return { type: 'string', enum: [...kind.oneOf] };
  switch (kind) {
    case 'string': return { type: 'string' };
    case 'number': return { type: 'number' };
    case 'integer': return { type: 'integer' };
    case 'number|null': return { type: ['number', 'null'] };
    case 'object': return { type: 'object' };
    // A non-finite metric is written as null (JSON has no NaN).
    case 'row': return { $ref: '#/$defs/metricsRow' };
  }
}

function eventSchema(type: string, fields: Record<string, FieldSpec>): Json {
  const properties: Json = { type: { const: type } };
  for (const [name, spec] of Object.entries(fields)) {
    properties[name] = spec.description ? { description: spec.description, ...kindSchema(spec.kind) } : kindSchema(spec.kind);
  }
  return {
    type: 'object',
    properties,
    required: ['type', ...Object.entries(fields).filter(([, s]) => !s.optional).map(([n]) => n)],
    additionalProperties: false,
  };
}

export function eventsSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: EVENTS_SCHEMA_ID,
    title: 'SPO Studio trainer event (one line of <run>/metrics.jsonl)',
    description: 'Generated from src/core/protocol/trainer.ts by `spo schema events`; see docs/engine-contract.md.',
    $defs: {
      metricsRow: {
        type: 'object',
        properties: { step: { type: 'integer', minimum: 0 } },
        required: ['step'],
        additionalProperties: { type: ['number', 'null'] },
      },
      ...Object.fromEntries(TRAINER_EVENT_TYPES.map((t) => [t, eventSchema(t, EVENT_FIELDS[t] as Record<string, FieldSpec>)])),
    },
    oneOf: TRAINER_EVENT_TYPES.map((t) => ({ $ref: `#/$defs/${t}` })),
  };
}
