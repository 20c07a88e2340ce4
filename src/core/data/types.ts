// The shapes every reader produces: a preference pair and where each of its texts came from.
// Everything downstream (key highlights, training, degrees) relies on these, so keep them stable.
import { SlicedWork } from '../slicedWork';

export type PreferenceFormat = 'trl' | 'trl-conversational' | 'hh' | 'tldr' | 'ultrafeedback';

export interface ChatMessage {
  role: string;
  content: string;
}

/** A range of the raw file text: 1-based line, 0-based UTF-16 columns (VS Code `Position` semantics, BOM not counted). */
export interface RawRange {
  line: number;
  start: number;
  end: number;
}

/**
 * Where a decoded string lives in the raw file. A JSON string literal never spans lines, so one
 * line plus a column map through its escapes (`\n`, `\"`, `\uXXXX`, surrogate pairs) is enough.
 */
export interface TextSource {
  /** 1-based file line of the JSON string literal. */
  readonly line: number;
  /** Map a decoded [start, end) UTF-16 range of the text to the raw columns that spell it. */
  toRaw(start: number, end: number): RawRange;
  /** Does the work of the first toRaw ahead, in slices (slicedWork.ts): a literal can be megabytes long. */
  prepareSliced?(): SlicedWork<void>;
}

/** One response (or prompt) as the model sees it, with its origin in the file when known. */
export interface SourcedText {
  text: string;
  source?: TextSource;
}

export interface PreferencePair {
  /** 0-based index among the valid pairs of the file. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
  format: PreferenceFormat;
  /** Prompt text as the model is fed it (for HH: the transcript up to and including the last "\n\nAssistant:"). */
  prompt: SourcedText;
  /** The final chosen response only (multi-turn: the last assistant turn). */
  chosen: SourcedText;
  rejected: SourcedText;
  /** Conversational input keeps its message lists, so conversion can write them back unchanged. */
  messages?: { prompt: ChatMessage[]; chosen: ChatMessage[]; rejected: ChatMessage[] };
}

/** A bad record: reported with its line and skipped; nothing else is lost. */
export interface ReadIssue {
  line: number;
  message: string;
  /** The format this record's keys match, when it differs from the file's (a file that mixes formats). */
  otherFormat?: PreferenceFormat;
}
