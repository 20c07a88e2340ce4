// Entry of the `spo` CLI: dispatches to one module per subcommand under ./commands.
import { CliCommand, CliIO, UsageError } from './command';
import { inspectCommand } from './commands/inspect';
import { convertCommand } from './commands/convert';
import { keysCommand } from './commands/keys';
import { scoreCommand } from './commands/score';
import { trainCommand } from './commands/train';
import { degreesCommand } from './commands/degrees';
import { benchCommand } from './commands/bench';
import { experimentCommand } from './commands/experiment';
import { schemaCommand } from './commands/schema';
import { doctorCommand } from './commands/doctor';
import { modelCommand } from './commands/model';

export const COMMANDS: CliCommand[] = [
  inspectCommand, convertCommand, keysCommand, scoreCommand,
  trainCommand, degreesCommand, benchCommand, experimentCommand, doctorCommand, modelCommand, schemaCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'spo: inspect preference data and train with DPO + SPO (Self-supervised Preference Optimization)',
    '',
    'usage: spo <command> [options]     (spo <command> --help for details)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`spo: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.stderr.write(`spo ${name}: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`spo: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`); process.exitCode = 1; },
  );
}
