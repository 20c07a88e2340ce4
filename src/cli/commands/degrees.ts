// `spo degrees`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const degreesCommand: CliCommand = {
  name: 'degrees',
  summary: '(not implemented yet)',
  usage: 'spo degrees: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo degrees: not implemented yet\n');
    return 2;
  },
};
