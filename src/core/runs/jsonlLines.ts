// The one JSONL line loop of the run readers (metrics.jsonl whole or tailed, degrees.jsonl): each
// non-blank line parsed as JSON, numbered in the file, so every reader reports bad lines the same way.

/** One non-blank line: its JSON value, or why it is not JSON. `line` is 1-based in the file. */
export type JsonlEntry = { line: number; value: unknown } | { line: number; error: string };

/**
 * Call `each` for every non-blank line of `text`, in order. `firstLine`: the file line `text` starts on
 * (a tail reads from the middle of a file). Returns how many lines `text` holds: a final newline ends
 * the last line rather than starting an empty one, so a tail can add the count to where it is.
 */
export function eachJsonlLine(text: string, firstLine: number, each: (entry: JsonlEntry) => void): number {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const line = firstLine + i;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      each({ line, error: (err as Error).message });
      return;
    }
    each({ line, value });
  });
  return lines.length;
}
