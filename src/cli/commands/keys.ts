// `spo keys`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: '(not implemented yet)',
  usage: 'spo keys: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo keys: not implemented yet\n');
    return 2;
  },
};
