// Per-example preference degrees (spo-method.md §6): the record both engines write to <run>/degrees.jsonl,
// and the messages between the degree panels' host (extension) and their webview (webview/degrees).

/** One SPO head on the intact response. */
export interface HeadDegree {
  /** P(class = c) for c = 0..K−1. */
  probs: number[];
  /** Expected class Σ c·P(c): how much key content the head thinks is missing. */
  expected: number;
}

/**
 * One line of `<run>/degrees.jsonl` (and eval_degrees.jsonl), as the TS trainer (src/core/train/degrees.ts)
 * and the torch engine (python/spo_torch/degrees.py) write it. Read it with core/runs/degreesFile.ts.
 */
export interface DegreeRecord {
  /** 0-based index of the pair among the file's valid pairs. */
  index: number;
  /** 1-based source line of the pair in the data file (eval_degrees.jsonl: in the `eval_data` file). */
  line: number;
  split: 'train' | 'eval';
  model: {
    /** β·[(log π_w − log π_ref,w) − (log π_l − log π_ref,l)] (reference-free losses: β·(avg_w − avg_l)). */
    margin: number;
    /** σ(margin): the model's P(chosen ≻ rejected). */
    probability: number;
    chosenReward: number;
    rejectedReward: number;
  };
  /** null when the run trained without SPO heads. */
  spo: { pref: HeadDegree; dispref: HeadDegree } | null;
  /** The data degree; null from the torch engine (the key-content extractor runs on the TS side only). */
  data: PairDataDegree | null;
}

/**
 * What the degree views take from one record (lenient: only the parts that were well formed): the
 * probability as `prob` and each head flattened. Not a line of degrees.jsonl; that is DegreeRecord.
 */
export interface RunDegreeView {
  line: number;
  index?: number;
  model?: { margin: number; prob: number };
  spo?: { pref: number[]; dispref: number[]; prefExpected: number; disprefExpected: number };
  /** The data degree's value. */
  data?: number;
}

/** A degree (data degree, model margin) as every view prints it: signed, three decimals. */
export function formatDegree(value: number): string {
  return `${value > 0 ? '+' : ''}${value.toFixed(3)}`;
}

/**
 * A pair's data degree (u_w − u_l) / max(1, u_w + u_l) and the key phrases behind it: the one shape of it
 * in degrees.jsonl (DegreeRecord.data) and in the degree views (core/keys' DataDegree is where it is computed).
 */
export interface PairDataDegree {
  degree: number;
  /** Chosen key phrases absent from the rejected response, and the reverse. */
  chosenOnly: string[];
  rejectedOnly: string[];
}

/** One example as the Inspect Preference Degree panel shows it. */
export interface ExampleDegreeView {
  file: string;
  line: number;
  promptPreview: string;
  chosenPreview: string;
  rejectedPreview: string;
  data: PairDataDegree | null;
  /** Why the data degree is missing (e.g. the line is not a preference record). */
  dataProblem?: string;
  model: RunDegreeView['model'] | null;
  spo: RunDegreeView['spo'] | null;
  /** Run the model/SPO degrees come from, or why there are none. */
  run: string | null;
  runNote: string;
}

/** One row of the dataset view (sorted hardest-first by the host). */
export interface DatasetDegreeRow {
  line: number;
  data: number | null;
  margin: number | null;
  prob: number | null;
  preview: string;
}

export interface DatasetDegreeView {
  file: string;
  run: string | null;
  runNote: string;
  rows: DatasetDegreeRow[];
  /** Issues met while reading the file (count only; they are diagnostics elsewhere). */
  skipped: number;
}

/** Host → webview. */
export type DegreesNotification =
  | { type: 'example'; view: ExampleDegreeView }
  | { type: 'dataset'; view: DatasetDegreeView };

/** Webview → host. */
export type DegreesCommand =
  | { type: 'ready' }
  /** Reveal this 1-based line of the data file in the editor. */
  | { type: 'reveal'; line: number }
  /** What the webview drew (e2e test hook). */
  | { type: 'rendered'; mode: 'example' | 'dataset'; rows: number; histogramBins: number; hasModel: boolean };
