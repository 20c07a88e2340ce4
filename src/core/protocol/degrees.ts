// Per-example preference degrees (spo-method.md §6): the record the trainer writes to <run>/degrees.jsonl,
// and the messages between the degree panels' host (extension) and their webview (webview/degrees).

/** One line of `<run>/degrees.jsonl`, written by the trainer after training. */
export interface ExampleDegreeRecord {
  /** 1-based line of the record in the data file. */
  line: number;
  /** 0-based index among the valid pairs. */
  index?: number;
  /** β·(Δ log-ratio chosen − Δ log-ratio rejected) and σ(margin) = the model's P(chosen ≻ rejected). */
  model?: { margin: number; prob: number };
  /** Each SPO head's class distribution on the intact response and its expected class E[c]. */
  spo?: { pref: number[]; dispref: number[]; prefExpected: number; disprefExpected: number };
  /** Key-content asymmetry (u_w − u_l) / max(1, u_w + u_l). */
  data?: number;
}

/** Key-content counts behind the data degree. */
export interface DataDegreeView {
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
  data: DataDegreeView | null;
  /** Why the data degree is missing (e.g. the line is not a preference record). */
  dataProblem?: string;
  model: ExampleDegreeRecord['model'] | null;
  spo: ExampleDegreeRecord['spo'] | null;
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
