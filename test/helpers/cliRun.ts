// Runs one `spo` subcommand in-process with its output captured, as the CLI tests call them.
import { PassThrough } from 'stream';
import type { CliCommand } from '../../src/cli/command';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(command: CliCommand, args: string[]): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c) => (stdout += c));
  err.on('data', (c) => (stderr += c));
  const code = await command.run(args, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}
