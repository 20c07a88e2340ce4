// `spo schema config|events`: the JSON Schemas (draft 2020-12) a second engine validates against —
// the resolved training config and one metrics.jsonl event — generated from the training spec and the
// protocol's field table. schemas/*.schema.json in the repository are this command's output.
import { CliCommand, UsageError } from '../command';
import { configSchema } from '../../core/train/configSchema';
import { eventsSchema } from '../../core/protocol/eventsSchema';

export const SCHEMAS: Record<string, () => Record<string, unknown>> = { config: configSchema, events: eventsSchema };

/** The schema as the committed file holds it: two-space JSON and a final newline. */
export function schemaText(name: string): string {
  const make = SCHEMAS[name];
  if (!make) throw new UsageError(`expected 'config' or 'events', got '${name}'`);
  return JSON.stringify(make(), null, 2) + '\n';
}

const USAGE = `usage: spo schema config|events

Prints a JSON Schema (draft 2020-12):
  config   the resolved training config (<run>/config.json), generated from the training spec
  events   one line of <run>/metrics.jsonl (a trainer event), generated from the event protocol`;

export const schemaCommand: CliCommand = {
  name: 'schema',
  summary: 'print the JSON Schema of the training config or of a metrics.jsonl event',
  usage: USAGE,
  async run(argv, io) {
    if (argv.length !== 1) throw new UsageError(`expected one of config, events\n\n${USAGE}`);
    io.stdout.write(schemaText(argv[0]));
    return 0;
  },
};
