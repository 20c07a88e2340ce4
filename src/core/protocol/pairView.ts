// Messages between the Pair View panel host (extension) and its webview (webview/pairView).
// The host sends what to show; the webview sends user intents and reports back what it rendered.

/** One key phrase of a response, as offsets into that response's decoded text. */
export interface PairViewKey {
  /** UTF-16 offsets into the response text, [start, end). */
  start: number;
  end: number;
  phrase: string;
  score: number;
  /** 1 = the best key of this response. */
  rank: number;
  /** The other response contains this phrase too. */
  shared: boolean;
}

export interface PairViewResponse {
  text: string;
  keys: PairViewKey[];
}

/** The data degree of spo-method.md §6: (u_w − u_l) / max(1, u_w + u_l). */
export interface PairViewDegree {
  value: number;
  /** Chosen key phrases absent from the rejected response. */
  chosenOnly: number;
  /** Rejected key phrases absent from the chosen response. */
  rejectedOnly: number;
}

/** Everything the webview needs to draw one pair. */
export interface PairViewPair {
  /** 1-based line of the record in the source file. */
  line: number;
  /** 0-based index of the pair among the file's valid pairs, when known. */
  index?: number;
  format: string;
  prompt: string;
  chosen: PairViewResponse;
  rejected: PairViewResponse;
  degree: PairViewDegree;
  extractor: string;
}

/** The source the panel follows; the webview persists it so a reload can revive the panel. */
export interface PairViewSource {
  uri: string;
  fileName: string;
  line: number;
  lineCount: number;
}

/** Host → webview. */
export type PairViewHostMessage =
  /** Draw this pair (the `source` line is the record's line). */
  | { type: 'showPair'; source: PairViewSource; pair: PairViewPair }
  /** Nothing to draw at the source line (not a record, a bad record, no preference file). */
  | { type: 'showMessage'; source?: PairViewSource; message: string };

/** What the webview drew, reported after each render (tests and the host read it). */
export interface PairViewRenderedState {
  kind: 'pair' | 'message';
  line?: number;
  uri?: string;
  message?: string;
  /** Highlighted spans drawn in each response, and how many of them are marked shared. */
  chosenSpans: number;
  rejectedSpans: number;
  sharedSpans: number;
  /** The degree as displayed. */
  degreeText?: string;
}

/** Webview → host. */
export type PairViewWebviewMessage =
  /** The script is loaded and listening; the host (re)sends the current pair. */
  | { type: 'ready' }
  /** Show the next / previous record of the source file. */
  | { type: 'navigate'; direction: 'next' | 'previous' }
  /** Reveal this 1-based line of the source file in its editor. */
  | { type: 'goToLine'; line: number }
  | { type: 'rendered'; state: PairViewRenderedState };

/** The state the webview keeps with `setState`, handed to the serializer on reload. */
export interface PairViewPersistedState {
  source?: PairViewSource;
}

/** Field-by-field check (webviewGuards.ts). */
export { isPairViewMessage as isPairViewWebviewMessage } from './webviewGuards';
