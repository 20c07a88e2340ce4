// Public API of the preference-data readers: everything outside src/core/data imports from here.
//
// Reading
// - `readPreferenceFile(path)` streams a file and yields pairs and issues in file order (tell
//   them apart with `isReadIssue`); it holds one ~1 MB chunk plus the record being read, yields
//   to the event loop every ~10 ms, and closes the file when the loop stops early.
//   `readPreferenceBatches` gives the same items one array per chunk, for bulk consumers.
// - `loadPreferenceFile` collects everything; `parsePreferenceText` does the same for a document
//   held in memory (an editor buffer) with identical results; `parsePreferenceLine` parses one
//   JSONL line (pair `index` is -1 there: it is only known file-wide).
// - Input: JSONL, or a JSON array when the first non-blank character is `[` (elements may span
//   lines); gzip is detected by its magic bytes; a UTF-8 BOM and the CR of CRLF are not counted.
//   Blank lines are skipped silently.
//
// Formats (`detectFormat` looks at keys only; the file's format is the override in
// `ReadOptions.format`, else that of the first readable record)
// - trl: `prompt`/`chosen`/`rejected` strings. Without `prompt`, the prompt is the common prefix
//   of chosen and rejected (TRL's rule: a trailing space goes to the responses; backed off so
//   neither response is empty). trl and trl-conversational records may mix in one file.
// - trl-conversational: the same keys holding `[{role, content}]` lists. Responses are the last
//   assistant message after the prompt messages (explicit `prompt`, else the messages both lists
//   share). `prompt.text` renders the prompt messages HH-style ("\n\nHuman: …\n\nAssistant:");
//   `pair.messages` keeps the lists for conversion.
// - hh: Anthropic transcripts; prompt = chosen up to and including its last "\n\nAssistant:",
//   responses = the rest (TRL's extract_anthropic_prompt). When the rejected transcript does not
//   start with that prompt (3 of the 2000 sample records), its response is what follows its own
//   last "\n\nAssistant:".
// - tldr: OpenAI summarize_from_feedback comparisons; prompt "SUBREDDIT: r/…\n\nTITLE: …\n\n
//   POST: …\n\nTL;DR:", chosen = summaries[choice].text, rejected = the other summary.
// - ultrafeedback: `instruction`/`prompt` plus `completions` (score: overall_score, score,
//   fine-grained_score or rating) or parallel `responses`/`scores`; best vs worst score.
//
// Sources: every response, and every prompt that is (a prefix of) one JSON string literal, has
// a `TextSource` mapping decoded UTF-16 offsets to raw columns through escapes (`\n`, `\"`,
// `\uXXXX`, surrogate pairs); suffix responses (hh, implicit trl) are offset accordingly. It is
// lazy: the literal is located and its escape map built on the first `toRaw` / `line` access.
// Rendered prompts (conversational, tldr) have no source.
//
// Issues: a bad record becomes `ReadIssue {line, message}` (the message names the key and what
// is wrong, without a line prefix: `formatIssue(file, issue)` gives `FILE:LINE: message`) and is
// skipped. Invalid UTF-8, NUL bytes and records over `maxRecordBytes` (256 MB) are issues too;
// after 100 unreadable records with no pair at all, reading stops with an issue saying the file
// does not look like preference data. A missing file rejects with "cannot read PATH: …".
export * from './types';
export { ReadOptions, readPreferenceFile, readPreferenceBatches, loadPreferenceFile, LoadedPreferences } from './fileReader';
export { parsePreferenceText, parsePreferenceTextSliced, parsePreferenceLine } from './textReader';
export { detectFormat, PREFERENCE_FORMATS, isPreferenceFormat } from './formats/detect';
export { isReadIssue, formatIssue } from './issues';
export { LengthStats, SummaryStats, LengthStatsAccumulator } from './stats';
export { toTrlRecord, TrlRecord } from './toTrl';
export { generateDemoPairs, DemoPair, DemoOptions } from './demoData';
