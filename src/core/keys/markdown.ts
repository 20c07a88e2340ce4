// Markdown pieces for hovers, safe for any text a preference file holds.

/**
 * `text` as one inline code span (CommonMark): the fence is one backtick longer than the longest backtick
 * run inside, padded with spaces when the text starts or ends with a backtick, so no phrase can close the
 * span early and inject Markdown (links, command URIs) after it. Line breaks become spaces.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
