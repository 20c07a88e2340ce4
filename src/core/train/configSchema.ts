// The JSON Schema (draft 2020-12) of the resolved training config, `<run>/config.json`, generated from
// the training spec (spec.ts). A second engine validates the config it is handed against this
// (committed as schemas/config.schema.json; a unit test keeps the file equal to this generator).
import { KeySpec, TRAIN_SPEC, ValueCheck } from './spec';

export const CONFIG_SCHEMA_ID = 'urn:spo-studio:schema:config';

type Json = Record<string, unknown>;

function numberSchema(integer: boolean, c: ValueCheck): Json {
  const s: Json = { type: integer ? 'integer' : 'number' };
  if (c.min !== undefined) s[c.minExclusive ? 'exclusiveMinimum' : 'minimum'] = c.min;
  if (c.max !== undefined) s.maximum = c.max;
  return s;
}

function valueSchema(spec: KeySpec): Json {
  const c = spec.check ?? {};
  switch (spec.type) {
    case 'boolean': return { type: 'boolean' };
    case 'string': {
      const s: Json = { type: 'string' };
      if (c.oneOf) s.enum = [...c.oneOf];
      if (c.nonEmpty) s.minLength = 1;
      return s;
    }
    case 'number': return numberSchema(false, c);
    case 'integer': return numberSchema(true, c);
    case 'string[]': return { type: 'array', minItems: 1, items: c.oneOf ? { type: 'string', enum: [...c.oneOf] } : { type: 'string' } };
    case 'number[]': return { type: 'array', minItems: 1, items: numberSchema(false, c) };
  }
}

function keySchema(spec: KeySpec): Json {
  const value = valueSchema(spec);
  const s: Json = spec.nullable ? { anyOf: [value, { type: 'null' }] } : value;
  return { description: spec.help, ...s, default: spec.default };
}

/** The schema object (every key required: a resolved config names every knob). */
export function configSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: CONFIG_SCHEMA_ID,
    title: 'SPO Studio resolved training config (<run>/config.json)',
    description: 'Generated from src/core/train/spec.ts by `spo schema config`; see docs/engine-contract.md.',
    type: 'object',
    properties: Object.fromEntries(TRAIN_SPEC.map((s) => [s.key, keySchema(s)])),
    required: TRAIN_SPEC.map((s) => s.key),
    additionalProperties: false,
  };
}
