// Trainer process entry: placeholder until issue 5 lands.
process.stderr.write('spo trainer: not implemented yet\n');
process.exitCode = 2;
