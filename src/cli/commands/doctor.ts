// `spo doctor [--json] [--python PY]`: is each engine ready, on what device, and what to install if not.
import { parseArgs } from 'util';
import { CliCommand } from '../command';
import { formatDoctor, runDoctor } from '../../core/engine/doctor';

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: "report each training engine's readiness (TF.js backends; Python, torch, CUDA, TRL, GPUs) and how to fix what is missing",
  usage: `usage: spo doctor [--json] [--python PY]

Checks both training engines:
  tfjs   the embedded engine: which TF.js backend loads (CUDA build, native CPU, WebAssembly, pure JS)
  torch  the PyTorch engine: the Python it would use (--python, else the project environment made by
         npm run setup:torch, else python3), torch/CUDA/transformers/TRL/accelerate/peft versions,
         the GPUs and their memory
For each missing piece it prints the exact command that installs it. --json prints
{"engines": {"tfjs": {"ready": …}, "torch": {"ready": …, …}}, "autoWithModel": …}.
Exit code 0 when at least one engine is ready.`,
  async run(argv, io) {
    const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, python: { type: 'string' } }, strict: true });
    const report = await runDoctor({ flag: values.python });
    io.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report));
    return report.engines.tfjs.ready || report.engines.torch.ready ? 0 : 1;
  },
};
