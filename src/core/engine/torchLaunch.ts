// The command line that starts the torch engine (docs/engine-contract.md, "The torch engine as a child
// process"): one process runs the module directly; several go through accelerate (multi-GPU DDP, FSDP,
// DeepSpeed, as TRL's docs launch) or, on a CPU, through torchrun with CPU forced, because
// `accelerate launch --cpu` starts only one process (docs/findings/pytorch-engine.md).

export interface LaunchSettings {
  python: string;
  runDir: string;
  resume: boolean;
  /** Processes (GPUs, or CPU workers over gloo); 1 = no launcher. */
  numProcesses: number;
  /** An accelerate config file (TRL's multi_gpu / zero{1,2,3} / fsdp{1,2}.yaml). */
  accelerateConfig: string | null;
  /** CUDA GPUs the probe saw; 0 forces the CPU launch path. */
  gpus: number;
}

export interface LaunchCommand {
  command: string;
  args: string[];
  /** Added to the child environment. */
  env: Record<string, string>;
  /** What the launch is, for the log ("1 process", "torchrun, 2 CPU processes (gloo)", …). */
  description: string;
}

export function torchLaunchCommand(s: LaunchSettings): LaunchCommand {
  const module = ['-m', 'spo_torch.train', '--run-dir', s.runDir, ...(s.resume ? ['--resume'] : [])];
  const n = Math.max(1, Math.floor(s.numProcesses));
  if (s.gpus === 0 && n > 1) {
    // --standalone: a private rendezvous on a free port, so two runs on one machine never collide.
    return {
      command: s.python,
      args: ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', String(n), ...module],
      env: { ACCELERATE_USE_CPU: '1' },
      description: `torchrun, ${n} CPU processes (gloo)${s.accelerateConfig ? `; ${s.accelerateConfig} is not used on a CPU` : ''}`,
    };
  }
  if (n > 1 || s.accelerateConfig) {
    const config = s.accelerateConfig ? ['--config_file', s.accelerateConfig] : [];
    const procs = n > 1 || !s.accelerateConfig ? ['--num_processes', String(n)] : [];
    return {
      command: s.python,
      args: ['-m', 'accelerate.commands.launch', ...config, ...procs, ...module],
      env: s.gpus === 0 ? { ACCELERATE_USE_CPU: '1' } : {},
      description: `accelerate launch${s.accelerateConfig ? ` --config_file ${s.accelerateConfig}` : ''}${procs.length ? `, ${n} processes` : ''}`,
    };
  }
  return { command: s.python, args: module, env: s.gpus === 0 ? { ACCELERATE_USE_CPU: '1' } : {}, description: '1 process' };
}
