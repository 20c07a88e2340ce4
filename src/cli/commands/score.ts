// `spo score`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: '(not implemented yet)',
  usage: 'spo score: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo score: not implemented yet\n');
    return 2;
  },
};
