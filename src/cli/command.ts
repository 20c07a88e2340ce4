// What every `spo` subcommand provides. Subcommands parse their own flags with node:util parseArgs.

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CliCommand {
  name: string;
  /** One line for `spo --help`. */
  summary: string;
  /** Full usage text for `spo NAME --help`. */
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

/** A user error: printed as `spo: message` with exit code 2, no stack trace. */
export class UsageError extends Error {}
