// `spo bench`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const benchCommand: CliCommand = {
  name: 'bench',
  summary: '(not implemented yet)',
  usage: 'spo bench: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo bench: not implemented yet\n');
    return 2;
  },
};
