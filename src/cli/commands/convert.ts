// `spo convert`: placeholder until its issue lands (replace this file wholesale).
import { CliCommand } from '../command';

export const convertCommand: CliCommand = {
  name: 'convert',
  summary: '(not implemented yet)',
  usage: 'spo convert: not implemented yet',
  async run(_argv, io) {
    io.stderr.write('spo convert: not implemented yet\n');
    return 2;
  },
};
