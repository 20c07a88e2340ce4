// The smallest tiny-preset run the crash and hostile-folder tests train: 16 pairs, a 1-layer model, 4 steps,
// a checkpoint every 2 steps, so a resume has two checkpoints to choose from in seconds.
import { resolveConfig, TrainConfig } from '../../src/core/train/config';

export function tinyConfig(data: string, overrides: Record<string, unknown> = {}): TrainConfig {
  return resolveConfig([{
    values: {
      data, backend: 'wasm', learning_rate: 3e-3, warmup_steps: 1, max_steps: 4, per_device_train_batch_size: 4, max_length: 64, eval_steps: 0, save_steps: 2,
      max_pairs: 16, write_degrees: false,
      tiny_vocab_size: 280, tiny_d_model: 16, tiny_n_layers: 1, tiny_n_heads: 2, tiny_context_length: 64, tiny_sft_steps: 2,
      ...overrides,
    },
  }]);
}
