// `spo experiment`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const experimentCommand: CliCommand = {
  name: 'experiment',
  summary: '(not implemented yet)',
  usage: 'spo experiment: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo experiment: not implemented yet\n');
    return 2;
  },
};
