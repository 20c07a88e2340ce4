// Public API of the model layer: backend loading, tokenizers, GPT-2 / Llama causal LMs in TF.js,
// log-probs of responses, and HF-compatible checkpoints (config.json + safetensors + tokenizer.json).
export * from './types';
export { loadTf, registerWasmUnsortedSegmentSum, BACKEND_CHOICES } from './backend';
export type { BackendChoice, LoadTfOptions, LoadedTf } from './backend';
export { mm, dense, embed, layerNorm, rmsNorm, geluNew, silu, causalAttention, logSigmoid, transposeLast } from './ops';
export { HfTextTokenizer, loadTokenizer, TOKENIZER_FILE, TOKENIZER_CONFIG_FILE } from './tokenizer';
export { byteLevelOffsets, bytesToUnicode, charSpanToTokenSpan } from './byteLevel';
export { trainByteLevelBpe } from './bpeTrainer';
export type { BpeTrainOptions, ByteLevelBpe } from './bpeTrainer';
export { createGpt2, gpt2FromTensors, GPT2_LAYOUT } from './gpt2';
export { createLlama, llamaFromTensors, LLAMA_LAYOUT } from './llama';
export type { HostTensor, VariableOptions, ModelLayout, WeightSpec } from './layout';
export {
  encodePair, truncatePair, padBatch, batchTensors, tokenLogProbs, responseLogProbs, sequenceLogProbs,
  pooledResponseHidden, scoreEncoded, chunkedTokenLogProbs, SCORE_VOCAB_CHUNK, SCORE_BATCH_TOKENS,
} from './logprobs';
export type { EncodedPair, PaddedBatch, ScoredSequences, ScoreOptions } from './logprobs';
export {
  readSafetensors, writeSafetensors, parseSafetensors, serializeSafetensors, readCheckpointTensors,
  SINGLE_FILE, INDEX_FILE,
} from './safetensors';
export type { StoredTensor, SafetensorsFile, TensorToWrite, SafetensorsDtype } from './safetensors';
export { parseHfConfig, toHfConfig, SUPPORTED_ARCHITECTURES } from './hfConfig';
export {
  createCausalLM, causalLMFromTensors, cloneCausalLM, loadCausalLM, saveCausalLM, readHfConfigFile, modelTensors, CONFIG_FILE,
} from './checkpoint';
export { ChatTemplate, loadChatTemplate, encodeChatPair, assistantMessage, CHAT_TEMPLATE_FILE } from './chatTemplate';
export type { ChatMessageLike } from './chatTemplate';
