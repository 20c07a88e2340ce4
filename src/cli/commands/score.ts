// `spo score --model DIR --data FILE`: log-probability of each chosen and rejected response given its
// prompt (sum over response tokens) under a causal LM checkpoint, as a table or JSON.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from '../command';
import { formatIssue, loadPreferenceFile } from '../../core/data';
import { promptMessages } from '../../core/engine/promptMessages';
import {
  BACKEND_CHOICES, BackendChoice, encodeChatPair, encodePair, EncodedPair, loadCausalLM, loadChatTemplate, loadTf, loadTokenizer,
  readHfConfigFile, scoreEncoded, TOKENIZER_FILE,
} from '../../core/model';
import { describeScoringMemory } from '../../core/model/memory';
import { parseFormatFlag } from './inspect';

const USAGE = `usage: spo score --model DIR --data FILE [--json] [--batch N] [--backend B] [--max-length N] [--format F] [--no-chat-template]

Scores every valid pair of FILE with the causal LM in DIR (config.json + model.safetensors +
tokenizer.json, as HF transformers saves them; GPT-2 and Llama layouts): logp_chosen and
logp_rejected are the summed log-probabilities of the response tokens given the prompt.

  --model DIR       model folder
  --data FILE       preference file (JSONL / JSON array, .gz too)
  --json            print a JSON array of {line, logp_chosen, logp_rejected}
  --batch N         sequences per forward pass (default 8)
  --backend B       ${BACKEND_CHOICES.join(' | ')} (default auto)
  --max-length N    tokens per sequence (default: the model's context length); longer pairs lose
                    prompt tokens from the left first, then response tokens from the right
  --format F        input format (default auto)
  --no-chat-template  feed the prompt as plain text even when the model has a chat template

When the model has a chat template and a pair's prompt is chat messages (conversational data, HH
transcripts split into turns), the pair is formatted with the template as TRL does: the response is
the assistant message, and its log-prob includes the template's end-of-turn tokens. Sequences go
through the model in micro-batches of at most 2048 tokens, and the LM head is taken in pieces of
8192 vocabulary entries, so memory stays near the weights plus one layer's activations.

The backend in use and any truncation are reported on stderr.`;

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
      },
    });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'\n\n${USAGE}`);
    if (!values.model) throw new UsageError(`--model DIR is required\n\n${USAGE}`);
    if (!values.data) throw new UsageError(`--data FILE is required\n\n${USAGE}`);
    const backend = values.backend as BackendChoice;
    if (!BACKEND_CHOICES.includes(backend)) throw new UsageError(`unknown backend '${values.backend}' (expected ${BACKEND_CHOICES.join(', ')})`);
    const batch = positiveInt(values.batch, '--batch', 8);
    const format = parseFormatFlag(values.format);
    const modelDir = values.model;
    if (!fs.existsSync(path.join(modelDir, TOKENIZER_FILE))) {
      io.stderr.write(`spo score: ${modelDir}: no ${TOKENIZER_FILE}; the model folder needs its tokenizer\n`);
      return 1;
    }

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

    let modelConfig;
    try {
      modelConfig = readHfConfigFile(modelDir);
    } catch (err) {
      io.stderr.write(`spo score: ${(err as Error).message}\n`);
      return 1;
    }
    const { tf, backend: active, notes } = await loadTf({ backend });
    // Before allocating anything: a model whose weights alone pass the wasm heap ends in Aborted().
    const memory = describeScoringMemory(modelConfig, active);
    if (memory.refusal) {
      io.stderr.write(`spo score: ${memory.refusal}\n`);
      return 1;
    }
    io.stderr.write(`backend: ${active}${notes.length ? ` (${notes.join('; ')})` : ''}\n`);
    let model;
    let tokenizer;
    try {
      tokenizer = loadTokenizer(modelDir);
      model = loadCausalLM(tf, modelDir);
    } catch (err) {
      io.stderr.write(`spo score: ${(err as Error).message}\n`);
      return 1;
    }
    const maxLen = positiveInt(values['max-length'], '--max-length', model.config.contextLength);
    if (maxLen > model.config.contextLength) {
      throw new UsageError(`--max-length ${maxLen} exceeds the model context length ${model.config.contextLength}`);
    }

    const template = values['no-chat-template'] ? undefined : loadChatTemplate(modelDir);
    let chatPairs = 0;
    const encoded = loaded.pairs.flatMap((p): EncodedPair[] => {
      const messages = template ? promptMessages(p) : null;
      if (template && messages) {
        chatPairs++;
        const e = encodeChatPair(tokenizer, template, messages, p.chosen.text, p.rejected.text, maxLen);
        return [e.chosen, e.rejected];
      }
      return [encodePair(tokenizer, p.prompt.text, p.chosen.text, maxLen), encodePair(tokenizer, p.prompt.text, p.rejected.text, maxLen)];
    });
    if (chatPairs) io.stderr.write(`spo score: ${chatPairs} of ${loaded.pairs.length} pairs formatted with the model's chat template\n`);
    const padId = tokenizer.eosTokenId ?? 0;
    const { sum } = scoreEncoded(tf, model, encoded, { batchSize: batch, padId });
    model.dispose();

    const truncated = encoded.filter((e) => e.truncated.prompt + e.truncated.response > 0);
    if (truncated.length) {
      const lostResponse = truncated.filter((e) => e.truncated.response > 0).length;
      io.stderr.write(
        `spo score: ${truncated.length} of ${encoded.length} sequences exceeded ${maxLen} tokens and were truncated` +
          ` (prompt from the left first; ${lostResponse} also lost response tokens)\n`,
      );
    }
    const scores: PairScore[] = loaded.pairs.map((p, i) => ({
      line: p.line,
      logp_chosen: sum[2 * i],
      logp_rejected: sum[2 * i + 1],
    }));
    io.stdout.write(values.json ? JSON.stringify(scores, null, 1) + '\n' : formatTable(scores));
    return 0;
  },
};
