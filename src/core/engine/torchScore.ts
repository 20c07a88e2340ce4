// `spo score --engine torch`: the same log-probs as the TF.js scorer, computed by PyTorch
// (python -m spo_torch.score). The TS side stays the only reader of the data formats: it writes the pairs in the
// prepared-pairs layout (docs/engine-contract.md, "Scoring") to a private temporary folder, and the Python side
// tokenizes by the TF.js scorer's rule, so both engines score the same token sequences.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { PreferencePair } from '../data/types';
import { scoringPairs } from './preparedPairs';
import { PythonChoice, pythonChildEnv } from './pythonLocation';

export interface TorchPairScore {
  /** The pair's position in the list given (the prepared pair's `index`). */
  index: number;
  logp_chosen: number;
  logp_rejected: number;
  truncated: { chosen: { prompt: number; response: number }; rejected: { prompt: number; response: number } };
}

export interface TorchScoreResult {
  engine: 'torch';
  /** Where it ran, e.g. "cpu (2 threads)". */
  device: string;
  versions: Record<string, string>;
  /** Pairs formatted with the model's chat template. */
  chat_pairs: number;
  /** The --max-length it scored with. */
  max_length: number;
  scores: TorchPairScore[];
}

export interface TorchScoreRequest {
  python: PythonChoice;
  model: string;
  pairs: readonly PreferencePair[];
  /** Tokens per sequence; undefined: the model's context length (config.json, read by the Python side). */
  maxLength: number | undefined;
  batch: number;
  /** False: plain text even when the model has a chat template (--no-chat-template). */
  chatTemplate: boolean;
}

/** The engine refused (bad model folder, too old torch …): its one `error:` line. */
export class TorchScoreError extends Error {}

const REFUSED = 3; // spo_torch.score's exit code for a refusal the user can act on

export async function scoreWithTorch(req: TorchScoreRequest): Promise<TorchScoreResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-score-'));
  try {
    const file = path.join(tmp, 'pairs.jsonl');
    fs.writeFileSync(file, scoringPairs(req.pairs).map((p) => JSON.stringify(p)).join('\n') + '\n', { mode: 0o600 });
    const args = ['-m', 'spo_torch.score', '--model', req.model, '--pairs', file,
      ...(req.maxLength === undefined ? [] : ['--max-length', String(req.maxLength)]), '--batch', String(req.batch), ...(req.chatTemplate ? [] : ['--no-chat-template'])];
    const env = pythonChildEnv(process.env, { TQDM_DISABLE: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1', TRANSFORMERS_VERBOSITY: 'error', TOKENIZERS_PARALLELISM: 'false' });
    const { code, stdout, stderr } = await run(req.python.command, args, env);
    const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
    if (code === REFUSED) throw new TorchScoreError((lines.find((l) => l.startsWith('error: ')) ?? lines.pop() ?? 'refused').replace(/^error: /, ''));
    if (code !== 0) throw new TorchScoreError(`the torch scorer (${req.python.command}) failed${lines.length ? `: ${lines.pop()!.slice(0, 300)}` : ` with code ${code}`}`);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as TorchScoreResult;
    if (result.scores.length !== req.pairs.length) throw new TorchScoreError(`the torch scorer returned ${result.scores.length} scores for ${req.pairs.length} pairs`);
    return result;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Run to the end, collecting both streams; code null when the interpreter could not start (stderr says why). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (err) => resolve({ code: null, stdout, stderr: `${stderr}\ncannot run ${command}: ${err.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
