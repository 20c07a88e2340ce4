// `spo train`: runs the trainer in this process (the same code as dist/trainer.js, which the
// extension forks); the CLI process exits when the command returns, releasing the wasm heap.
import { CliCommand } from '../command';
import { TRAIN_USAGE, runTrainer } from '../../trainer/run';

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a model with DPO (or IPO/hinge/SimPO/ORPO) + the SPO preference-degree loss',
  usage: TRAIN_USAGE,
  async run(argv, io) {
    return runTrainer(argv, { stderr: io.stderr as NodeJS.WritableStream & { isTTY?: boolean } });
  },
};
