// `spo score --model DIR --data FILE`: log-probability of each chosen and rejected response given its
// prompt (sum over response tokens) under a causal LM checkpoint, as a table or JSON.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from '../command';
import { formatIssue, loadPreferenceFile } from '../../core/data';
import { promptMessages } from '../../core/engine/promptMessages';
import { ENGINE_CHOICES, EngineChoice, isEngineChoice, resolveEngine } from '../../core/engine/engineChoice';
import { choosePython } from '../../core/engine/pythonLocation';
import { probePython } from '../../core/engine/pythonProbe';
import { EngineUnavailable, assertTorchReady } from '../../core/engine/torchTraining';
import { TorchScoreError, scoreWithTorch } from '../../core/engine/torchScore';
import type { PreferencePair } from '../../core/data/types';
import type { CausalLMConfig } from '../../core/model/types';
import {
  BACKEND_CHOICES, BackendChoice, encodeChatPair, encodePair, EncodedPair, loadCausalLM, loadChatTemplate, loadTf, loadTokenizer,
  readHfConfigFile, scoreEncoded, TOKENIZER_FILE,
} from '../../core/model';
import { describeScoringMemory } from '../../core/model/memory';
import { parseFormatFlag } from './inspect';

const USAGE = `usage: spo score --model DIR --data FILE [--json] [--engine E] [--python PY] [--batch N] [--backend B] [--max-length N] [--format F] [--no-chat-template]

Scores every valid pair of FILE with the causal LM in DIR (config.json + model.safetensors +
tokenizer.json, as HF transformers saves them; GPT-2 and Llama layouts): logp_chosen and
logp_rejected are the summed log-probabilities of the response tokens given the prompt.

  --model DIR       model folder
  --data FILE       preference file (JSONL / JSON array, .gz too)
  --json            print a JSON array of {line, logp_chosen, logp_rejected}
  --engine E        ${ENGINE_CHOICES.join(' | ')} (default tfjs): tfjs scores in this process; torch runs
                    python -m spo_torch.score (PyTorch, float32) on the same tokens; auto picks torch
                    when the Python has the engine and torch, as spo train does
  --python PY       the Python for --engine torch|auto (default: the project environment
                    ~/.cache/spo-studio/torch-env made by npm run setup:torch, else python3)
  --batch N         sequences per forward pass (default 8)
  --backend B       ${BACKEND_CHOICES.join(' | ')} (default auto; TF.js engine only)
  --max-length N    tokens per sequence (default: the model's context length); longer pairs lose
                    prompt tokens from the left first, then response tokens from the right
  --format F        input format (default auto)
  --no-chat-template  feed the prompt as plain text even when the model has a chat template

When the model has a chat template and a pair's prompt is chat messages (conversational data, HH
transcripts split into turns), the pair is formatted with the template as TRL does: the response is
the assistant message, and its log-prob includes the template's end-of-turn tokens. Sequences go
through the model in micro-batches of at most 2048 tokens, and the LM head is taken in pieces of
8192 vocabulary entries, so memory stays near the weights plus one layer's activations.

Both engines tokenize alike (docs/engine-contract.md, "Scoring") and agree within 1e-4 relative.
The engine and backend in use and any truncation are reported on stderr.`;

export interface PairScore {
  line: number;
  logp_chosen: number;
  logp_rejected: number;
}

function positiveInt(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer (got '${value}')`);
  return n;
}

function formatTable(scores: PairScore[]): string {
  const head = `${'line'.padStart(7)}  ${'logp_chosen'.padStart(14)}  ${'logp_rejected'.padStart(14)}  ${'margin'.padStart(10)}`;
  const rows = scores.map((s) =>
    `${String(s.line).padStart(7)}  ${s.logp_chosen.toFixed(4).padStart(14)}  ${s.logp_rejected.toFixed(4).padStart(14)}  ${(s.logp_chosen - s.logp_rejected).toFixed(4).padStart(10)}`,
  );
  return [head, ...rows].join('\n') + '\n';
}

export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'Log-probabilities of chosen and rejected responses under a model checkpoint',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean', default: false },
        batch: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        'max-length': { type: 'string' },
        format: { type: 'string' },
        'no-chat-template': { type: 'boolean', default: false },
        engine: { type: 'string', default: 'tfjs' },
        python: { type: 'string' },
      },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${USAGE}`);
    if (!values.model) throw new UsageError(`--model DIR is required\n\n${USAGE}`);
    if (!values.data) throw new UsageError(`--data FILE is required\n\n${USAGE}`);
    const backend = values.backend as BackendChoice;
    if (!BACKEND_CHOICES.includes(backend)) throw new UsageError(`unknown backend '${values.backend}' (expected ${BACKEND_CHOICES.join(', ')})`);
    if (!isEngineChoice(values.engine)) throw new UsageError(`unknown engine '${values.engine}' (expected ${ENGINE_CHOICES.join(', ')})`);
    const engineChoice: EngineChoice = values.engine;
    const batch = positiveInt(values.batch, '--batch', 8);
    const format = parseFormatFlag(values.format);
    const modelDir = values.model;

    let loaded;
    try {
      loaded = await loadPreferenceFile(values.data, { format });
    } catch (err) {
      io.stderr.write(`spo score: ${(err as Error).message}\n`);
      return 1;
    }
    for (const issue of loaded.issues) io.stderr.write(formatIssue(values.data, issue) + '\n');
    if (loaded.pairs.length === 0) {
      io.stderr.write(`spo score: ${values.data}: no valid preference pair to score\n`);
      return 1;
    }

    const maxLenFor = (contextLength: number): number => {
      const n = positiveInt(values['max-length'], '--max-length', contextLength);
      if (n > contextLength) throw new UsageError(`--max-length ${n} exceeds the model context length ${contextLength}`);
      return n;
    };
    const python = choosePython({ flag: values.python });
    const engine = await resolveEngine(engineChoice, { model: modelDir, python });
    if (engine.why) io.stderr.write(`spo score: ${engine.why}\n`);
    let scored: Scored;
    try {
      scored = engine.engine === 'torch'
        ? await scoreTorch({ modelDir, pairs: loaded.pairs, python, probe: engine.probe, batch, maxLen: torchMaxLength(modelDir, values['max-length'], maxLenFor), chatTemplate: !values['no-chat-template'] }, io.stderr)
        : await scoreTfjs({ modelDir, pairs: loaded.pairs, backend, batch, maxLenFor, chatTemplate: !values['no-chat-template'] }, io.stderr);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (err instanceof ScoreRefusal || err instanceof EngineUnavailable || err instanceof TorchScoreError) {
        io.stderr.write(`spo score: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
    if (scored.chatPairs) io.stderr.write(`spo score: ${scored.chatPairs} of ${loaded.pairs.length} pairs formatted with the model's chat template\n`);
    const truncated = scored.truncated.filter((t) => t.prompt + t.response > 0);
    if (truncated.length) {
      const lostResponse = truncated.filter((t) => t.response > 0).length;
      io.stderr.write(
        `spo score: ${truncated.length} of ${scored.truncated.length} sequences exceeded ${scored.maxLen} tokens and were truncated` +
          ` (prompt from the left first; ${lostResponse} also lost response tokens)\n`,
      );
    }
    const scores: PairScore[] = loaded.pairs.map((p, i) => ({
      line: p.line,
      logp_chosen: scored.sum[2 * i],
      logp_rejected: scored.sum[2 * i + 1],
    }));
    io.stdout.write(values.json ? JSON.stringify(scores, null, 1) + '\n' : formatTable(scores));
    return 0;
  },
};

/** A refusal of the TF.js path, printed as one line (missing tokenizer, a model too big for the backend, …). */
class ScoreRefusal extends Error {}

/** What either engine hands back: per sequence (chosen, rejected of each pair in turn) the summed log-prob. */
interface Scored {
  sum: ArrayLike<number>;
  truncated: Array<{ prompt: number; response: number }>;
  chatPairs: number;
  maxLen: number;
}

/**
 * The torch scorer's --max-length: as for TF.js when this side can read the model's config (GPT-2 and Llama
 * layouts); for another architecture, --max-length as given or, without it, the model's own context length
 * (undefined: the Python side reads it from config.json).
 */
function torchMaxLength(modelDir: string, flag: string | undefined, maxLenFor: (contextLength: number) => number): number | undefined {
  let contextLength: number;
  try {
    contextLength = readHfConfigFile(modelDir).contextLength;
  } catch {
    return flag === undefined ? undefined : positiveInt(flag, '--max-length', 1);
  }
  return maxLenFor(contextLength);
}

interface TorchScoreJob {
  modelDir: string;
  pairs: readonly PreferencePair[];
  python: ReturnType<typeof choosePython>;
  probe?: Awaited<ReturnType<typeof probePython>>;
  batch: number;
  maxLen: number | undefined;
  chatTemplate: boolean;
}

async function scoreTorch(job: TorchScoreJob, stderr: NodeJS.WritableStream): Promise<Scored> {
  const probe = job.probe ?? (await probePython(job.python.command));
  assertTorchReady(job.python, probe);
  const result = await scoreWithTorch({ python: { ...job.python, command: probe.executable ?? job.python.command }, model: job.modelDir, pairs: job.pairs, maxLength: job.maxLen, batch: job.batch, chatTemplate: job.chatTemplate });
  stderr.write(`engine: torch (${result.device}; torch ${result.versions.torch}, transformers ${result.versions.transformers}; ${probe.executable ?? job.python.command})\n`);
  return {
    sum: result.scores.flatMap((s) => [s.logp_chosen, s.logp_rejected]),
    truncated: result.scores.flatMap((s) => [s.truncated.chosen, s.truncated.rejected]),
    chatPairs: result.chat_pairs,
    maxLen: result.max_length,
  };
}

interface TfjsScoreJob {
  modelDir: string;
  pairs: readonly PreferencePair[];
  backend: BackendChoice;
  batch: number;
  maxLenFor(contextLength: number): number;
  chatTemplate: boolean;
}

async function scoreTfjs(job: TfjsScoreJob, stderr: NodeJS.WritableStream): Promise<Scored> {
  const { modelDir } = job;
  let modelConfig: CausalLMConfig;
  try {
    modelConfig = readHfConfigFile(modelDir);
  } catch (err) {
    throw new ScoreRefusal((err as Error).message);
  }
  if (!fs.existsSync(path.join(modelDir, TOKENIZER_FILE))) throw new ScoreRefusal(`${modelDir}: no ${TOKENIZER_FILE}; the model folder needs its tokenizer`);
  const { tf, backend: active, notes } = await loadTf({ backend: job.backend });
    // Before allocating anything: a model whose weights alone pass the wasm heap ends in Aborted().
  const memory = describeScoringMemory(modelConfig, active);
  if (memory.refusal) throw new ScoreRefusal(memory.refusal);
  stderr.write(`backend: ${active}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
  let model;
  let tokenizer;
  try {
    tokenizer = loadTokenizer(modelDir);
    model = loadCausalLM(tf, modelDir);
  } catch (err) {
    throw new ScoreRefusal((err as Error).message);
  }
  try {
    const maxLen = job.maxLenFor(model.config.contextLength);
    const template = job.chatTemplate ? loadChatTemplate(modelDir) : undefined;
    let chatPairs = 0;
    const encoded = job.pairs.flatMap((p): EncodedPair[] => {
      const messages = template ? promptMessages(p) : null;
      if (template && messages) {
        chatPairs++;
        const e = encodeChatPair(tokenizer, template, messages, p.chosen.text, p.rejected.text, maxLen);
        return [e.chosen, e.rejected];
      }
      return [encodePair(tokenizer, p.prompt.text, p.chosen.text, maxLen), encodePair(tokenizer, p.prompt.text, p.rejected.text, maxLen)];
    });
    const padId = tokenizer.eosTokenId ?? 0;
    const { sum } = scoreEncoded(tf, model, encoded, { batchSize: job.batch, padId });
    return { sum, truncated: encoded.map((e) => e.truncated), chatPairs, maxLen };
  } finally {
    model.dispose();
  }
}
