// `spo train`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: '(not implemented yet)',
  usage: 'spo train: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo train: not implemented yet\n');
    return 2;
  },
};
