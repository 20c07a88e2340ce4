// `spo inspect`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: '(not implemented yet)',
  usage: 'spo inspect: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo inspect: not implemented yet\n');
    return 2;
  },
};
