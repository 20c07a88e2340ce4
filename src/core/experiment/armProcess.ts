// A child process that runs one experiment job and exits, so the wasm heap (which never shrinks) and
// the TF.js variable registry start clean for every run. `forkArmJob` is the parent side.
// The child is this very file (tsc output) or the bundle that contains it (dist/cli.js): an
// environment marker, not `require.main`, tells the forked copy to serve one job.
import { fork } from 'child_process';
import type { TrainerEvent } from '../protocol/trainer';
import type { ArmChildMessage as ChildMessage, ArmJob, ArmOutcome } from '../protocol/armJob';
import { runArmJob } from './armJob';

const JOB_MARKER = 'SPO_EXPERIMENT_JOB';

/** Run `job` in a fresh Node process; trainer events are forwarded to `onEvent`. */
export function forkArmJob(job: ArmJob, onEvent?: (e: TrainerEvent) => void): Promise<ArmOutcome> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, [JOB_MARKER]: '1' } });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    let settled = false;
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'event') onEvent?.(msg.event);
      else if (msg.type === 'result') {
        settled = true;
        resolve(msg.outcome);
      } else if (msg.type === 'error') {
        settled = true;
        reject(new Error(msg.message));
      }
    });
    child.on('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    child.on('exit', (code, signal) => {
      if (!settled) reject(new Error(`experiment job in ${job.runDir} exited with ${signal ?? `code ${code}`} before reporting${stderr ? `:\n${stderr}` : ''}`));
      settled = true;
    });
    child.send(job);
  });
}

if (process.env[JOB_MARKER] === '1' && process.send) {
  delete process.env[JOB_MARKER]; // not inherited by anything this job starts
  // The parent went away (Ctrl-C, killed): nobody will read the result, so stop training now.
  process.once('disconnect', () => process.exit(1));
  const send = (msg: ChildMessage): Promise<void> => new Promise((done) => process.send!(msg, () => done()));
  process.once('message', (job: ArmJob) => {
    runArmJob(job, (event) => void send({ type: 'event', event })).then(
      async (outcome) => {
        await send({ type: 'result', outcome });
        process.exit(0);
      },
      async (err: unknown) => {
        await send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
        process.exit(1);
      },
    );
  });
}
