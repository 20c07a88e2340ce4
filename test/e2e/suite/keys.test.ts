// Key content in a real VS Code: highlights on the HH sample match the core analysis exactly (through JSON
// escapes), hovers carry score/rank/side/degree and command links, bad lines become SPO diagnostics, the Pair
// View renders the pair at the cursor, and the toggle turns highlights off and on.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isReadIssue, parsePreferenceLine, PreferencePair } from '../../../src/core/data';
import { analyzePair, createExtractor, KeyDecoration, normalizePhrase, PairKeyAnalysis } from '../../../src/core/keys';
import { PairViewRenderedState } from '../../../src/core/protocol';
import { hhFile, openFile, spoExtension, takeScreenshot, waitFor, workspaceDir } from '../helpers';

/** The decorations applied to the active editor, with 0-based lines like vscode.Position (pairLine stays 1-based). */
const getDecorations = async (): Promise<KeyDecoration[]> =>
  (await vscode.commands.executeCommand<KeyDecoration[]>('spo._test.getKeyDecorations')).map((d) => ({ ...d, line: d.line - 1 }));
const getHover = (line: number, character: number) => vscode.commands.executeCommand<string | undefined>('spo._test.getHover', line, character);
const getPairViewState = () => vscode.commands.executeCommand<PairViewRenderedState | undefined>('spo._test.getPairViewState');

/** The core analysis of a record line, with the settings' defaults (rake, 8 keys). */
function analyzeLine(document: vscode.TextDocument, line: number): PairKeyAnalysis {
  const parsed = parsePreferenceLine(document.lineAt(line).text, line + 1);
  assert.ok(parsed && !isReadIssue(parsed), `line ${line + 1} of ${document.fileName} is not a valid record`);
  return analyzePair(parsed, createExtractor('rake'), 8);
}

/** waitFor for a value: resolves to the first defined one. */
async function waitForValue<T>(get: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  return (await waitFor(get, timeoutMs, what)) as T;
}

async function moveCursor(editor: vscode.TextEditor, line: number): Promise<void> {
  const position = new vscode.Position(line, 0);
  editor.selection = new vscode.Selection(position, position);
  editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.AtTop);
}

describe('key content in the editor', function () {
  this.timeout(90000);
  let editor: vscode.TextEditor;
  let decorations: KeyDecoration[];

  before(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    editor = await openFile(hhFile());
    await waitFor(() => spoExtension().isActive, 20000, 'the extension to activate');
    decorations = await waitForValue(async () => {
      const list = await getDecorations();
      return list && list.length > 0 ? list : undefined;
    }, 20000, 'key decorations on hh-rlhf.jsonl');
  });

  it('highlights exactly the raw characters that, JSON-unescaped, spell each key phrase', () => {
    const document = editor.document;
    const lines = new Set(decorations.map((d) => d.line));
    const visible = editor.visibleRanges[0];
    assert.ok(lines.has(visible.start.line), `the first visible line ${visible.start.line + 1} has no highlight`);
    assert.ok(decorations.some((d) => d.side === 'chosen') && decorations.some((d) => d.side === 'rejected'), 'both sides are highlighted');
    assert.ok(decorations.some((d) => d.shared), 'some key phrase occurs in both responses');
    // Only the visible lines and a small margin are computed, never the 2000-line file.
    assert.ok(Math.max(...lines) < visible.end.line + 60, `highlights reach line ${Math.max(...lines) + 1}, far below the screen`);
    for (const d of decorations) {
      const raw = document.lineAt(d.line).text.slice(d.start, d.end);
      const text = JSON.parse(`"${raw}"`) as string;
      assert.equal(normalizePhrase(text), d.phrase, `line ${d.line + 1} [${d.start}, ${d.end}) spells ${JSON.stringify(text)}`);
    }
  });

  it('agrees with the core analysis of each record: phrase, score, rank, shared, degree', () => {
    const byLine = new Map<number, KeyDecoration[]>();
    for (const d of decorations) byLine.set(d.line, [...(byLine.get(d.line) ?? []), d]);
    for (const [line, list] of byLine) {
      const analysis = analyzeLine(editor.document, line);
      const expected = (['chosen', 'rejected'] as const).flatMap((side) => analysis[side].keys.map((k) => ({ side, phrase: k.phrase, score: k.score, rank: k.rank, shared: k.shared })));
      const got = list.map((d) => ({ side: d.side, phrase: d.phrase, score: d.score, rank: d.rank, shared: d.shared }));
      assert.deepEqual(got, expected, `decorations of line ${line + 1}`);
      for (const d of list) {
        assert.equal(d.degree, analysis.degree.data, `degree on line ${line + 1}`);
        assert.equal(d.pairLine, line + 1);
      }
    }
  });

  it('shows a hover with the phrase, score, rank, side, degree and trusted command links', async () => {
    const d = decorations.find((x) => x.side === 'rejected' && !x.shared) ?? decorations[0];
    const other = d.side === 'chosen' ? 'rejected' : 'chosen';
    const hover = await getHover(d.line, d.start);
    assert.ok(hover, `no hover at ${d.line + 1}:${d.start + 1}`);
    assert.ok(hover.includes(`Phrase: \`${d.phrase}\``), `hover lacks the phrase ${d.phrase}: ${hover}`);
    assert.ok(hover.includes(`Score **${d.score.toFixed(2)}**`), `hover lacks the score: ${hover}`);
    assert.ok(hover.includes(`rank **${d.rank}** in the ${d.side} response`), `hover lacks rank and side: ${hover}`);
    assert.ok(hover.includes(d.shared ? `The ${other} response has this phrase too` : `The ${other} response does not have this phrase`), hover);
    const degree = `${d.degree > 0 ? '+' : ''}${d.degree.toFixed(3)}`;
    assert.ok(hover.includes(`Data degree of this pair: **${degree}**`), `hover lacks the degree ${degree}: ${hover}`);
    for (const command of ['spo.openPairView', 'spo.inspectDegree', 'spo.copyKeyPhrase']) {
      assert.ok(hover.includes(`](command:${command}?`), `hover lacks a ${command} link: ${hover}`);
    }
    const args = JSON.parse(decodeURIComponent(/command:spo\.inspectDegree\?([^ )]+)/.exec(hover)![1])) as unknown[];
    assert.deepEqual(args, [d.pairLine, editor.document.uri.toString()]);

    // The same text comes through VS Code's own hover machinery (the provider is registered).
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(d.line, d.start + 1));
    const texts = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
    assert.ok(texts.some((t) => t.includes('SPO key content') && t.includes(`rank **${d.rank}**`)), `hover provider gave: ${texts.join(' | ')}`);
    // One hover (issue 11 §4): the pair's data degree is printed once, not by a second degree hover too.
    assert.equal(texts.join('\n').match(/data degree/gi)?.length, 1, `hover provider gave: ${texts.join(' | ')}`);

    // The picture: wrapped lines (responses sit far right in JSONL), the hover open on the phrase.
    const editorConfig = vscode.workspace.getConfiguration('editor');
    await editorConfig.update('wordWrap', 'on', vscode.ConfigurationTarget.Global);
    try {
      editor = await vscode.window.showTextDocument(editor.document, { preview: false });
      editor.selection = new vscode.Selection(d.line, d.start + 1, d.line, d.start + 1);
      editor.revealRange(new vscode.Range(d.line, d.start, d.line, d.end), vscode.TextEditorRevealType.InCenter);
      await waitFor(async () => (await getDecorations()).some((x) => x.line === d.line), 10000, 'highlights after wrapping');
      await vscode.commands.executeCommand('editor.action.showHover');
      await new Promise((resolve) => setTimeout(resolve, 800));
      const shot = await takeScreenshot('keys-highlights');
      if (shot) assert.ok(fs.statSync(shot).size > 10000, 'keys-highlights.png looks empty');
      await vscode.commands.executeCommand('editor.action.hideHover');
    } finally {
      await editorConfig.update('wordWrap', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('toggles highlights off and on through the setting', async () => {
    const config = () => vscode.workspace.getConfiguration('spo').get<boolean>('highlights.enabled');
    assert.equal(config(), true);
    await vscode.commands.executeCommand('spo.toggleHighlights');
    assert.equal(config(), false);
    await waitFor(async () => (await getDecorations()).length === 0, 10000, 'highlights to disappear');
    assert.equal(await getHover(decorations[0].line, decorations[0].start), undefined, 'no hover while highlights are off');
    await vscode.commands.executeCommand('spo.toggleHighlights');
    assert.equal(config(), true);
    const back = await waitForValue(async () => {
      const list = await getDecorations();
      return list.length > 0 ? list : undefined;
    }, 10000, 'highlights to come back');
    assert.ok(back.some((d) => d.line === decorations[0].line && d.start === decorations[0].start));
  });

  it('rebuilds the highlights when spo.keys.maxKeys changes', async () => {
    const config = vscode.workspace.getConfiguration('spo');
    await config.update('keys.maxKeys', 2, vscode.ConfigurationTarget.Global);
    try {
      const fewer = await waitForValue(async () => {
        const list = await getDecorations();
        return list.length > 0 && list.every((d) => d.rank <= 2) ? list : undefined;
      }, 10000, 'highlights with at most 2 keys a response');
      const line = fewer[0].line;
      const expected = analyzePair(parsePreferenceLine(editor.document.lineAt(line).text, line + 1) as PreferencePair, createExtractor('rake'), 2);
      assert.equal(fewer.filter((d) => d.line === line).length, expected.chosen.keys.length + expected.rejected.keys.length);
    } finally {
      await config.update('keys.maxKeys', undefined, vscode.ConfigurationTarget.Global);
    }
    await waitFor(async () => (await getDecorations()).some((d) => d.rank > 2), 10000, 'the default 8 keys to come back');
  });

  it('reports bad records of a preference file in the Problems panel, and drops them once fixed', async () => {
    const file = path.join(workspaceDir(), 'bad-lines.jsonl');
    fs.writeFileSync(file, [
      JSON.stringify({ prompt: 'Name a colour.', chosen: 'Blue, like a clear sky.', rejected: 'No.' }),
      '{"prompt": "broken", "chosen": "unterminated',
      JSON.stringify({ prompt: 'Only chosen.', chosen: 'Here is my answer.' }),
      '',
      JSON.stringify({ prompt: 'Fine.', chosen: 'Good answer about rivers.', rejected: 'Bad answer.' }),
    ].join('\n') + '\n');
    const uri = vscode.Uri.file(file);
    const bad = await openFile(file);
    const spo = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'SPO');
    const found = await waitForValue(async () => (spo().length >= 2 ? spo() : undefined), 10000, 'SPO diagnostics on bad-lines.jsonl');
    assert.deepEqual(found.map((d) => d.range.start.line), [1, 2], found.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; '));
    assert.ok(found.every((d) => d.severity === vscode.DiagnosticSeverity.Error && d.message.length > 5));
    assert.match(found[1].message, /rejected/, `the missing key is named: ${found[1].message}`);

    const fixed = new vscode.WorkspaceEdit();
    fixed.replace(uri, bad.document.lineAt(1).range, JSON.stringify({ prompt: 'fixed', chosen: 'A whole answer.', rejected: 'Nope.' }));
    assert.ok(await vscode.workspace.applyEdit(fixed));
    await waitFor(() => spo().length === 1, 10000, 'the fixed line to lose its diagnostic');
    assert.equal(spo()[0].range.start.line, 2);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('highlights JSON-array preference files too, through escapes, and reports their bad records', async () => {
    const file = path.join(workspaceDir(), 'pairs-array.json');
    const records = [
      { prompt: 'Describe the café.', chosen: 'The \u201ccosy\u201d café serves \"fresh croissants\" and strong espresso \ud83d\ude00 daily.', rejected: 'It is a building with tables.' },
      { prompt: 'Rivers?', chosen: 'Rivers carry fresh water downhill to the sea.', rejected: 'Mountains are tall rocks.' },
      { prompt: 'Only chosen.', chosen: 'Nothing to compare.' },
    ];
    // Pretty-printed: records span lines, so the extension must parse the array, not single lines.
    fs.writeFileSync(file, JSON.stringify(records, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    const uri = vscode.Uri.file(file);
    const arrayEditor = await openFile(file);
    const found = await waitForValue(async () => {
      const list = await getDecorations();
      return list.length > 0 && vscode.window.activeTextEditor === arrayEditor ? list : undefined;
    }, 10000, 'key decorations on pairs-array.json');
    const document = arrayEditor.document;
    for (const d of found) {
      const raw = document.lineAt(d.line).text.slice(d.start, d.end);
      assert.equal(normalizePhrase(JSON.parse(`"${raw}"`) as string), d.phrase, `pairs-array.json:${d.line + 1} [${d.start}, ${d.end})`);
    }
    assert.ok(found.some((d) => d.phrase.includes('croissants')), found.map((d) => d.phrase).join(', '));
    assert.ok(found.some((d) => d.side === 'rejected'));
    const spo = () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'SPO');
    const issues = await waitForValue(async () => (spo().length > 0 ? spo() : undefined), 10000, 'SPO diagnostics on pairs-array.json');
    assert.equal(issues.length, 1);
    assert.equal(document.lineAt(issues[0].range.start.line).text.trim(), '{', 'the issue sits on the record that lacks "rejected"');
    assert.match(issues[0].message, /rejected/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('opens the Pair View on the cursor line, follows the cursor and opens the line a command link names', async () => {
    editor = await vscode.window.showTextDocument(editor.document, { viewColumn: vscode.ViewColumn.One, preview: false });
    await moveCursor(editor, 4);
    await vscode.commands.executeCommand('spo.openPairView');
    const state = await waitForValue(async () => {
      const s = await getPairViewState();
      return s?.kind === 'pair' && s.line === 5 ? s : undefined;
    }, 20000, 'the Pair View to render line 5');
    const analysis = analyzeLine(editor.document, 4);
    assert.equal(state.chosenSpans, analysis.chosen.keys.length);
    assert.equal(state.rejectedSpans, analysis.rejected.keys.length);
    assert.equal(state.sharedSpans, [...analysis.chosen.keys, ...analysis.rejected.keys].filter((k) => k.shared).length);
    assert.ok(state.degreeText?.startsWith(`${analysis.degree.data > 0 ? '+' : ''}${analysis.degree.data.toFixed(3)}`), state.degreeText);
    assert.equal(state.uri, editor.document.uri.toString());

    await moveCursor(editor, 1);
    const followed = await waitForValue(async () => {
      const s = await getPairViewState();
      return s?.line === 2 ? s : undefined;
    }, 10000, 'the Pair View to follow the cursor to line 2');
    assert.equal(followed.kind, 'pair');
    const shot = await takeScreenshot('pair-view');
    if (shot) assert.ok(fs.statSync(shot).size > 10000, 'pair-view.png looks empty');

    await vscode.commands.executeCommand('spo.openPairView', editor.document.uri.toString(), 2000);
    const last = await waitForValue(async () => {
      const s = await getPairViewState();
      return s?.line === 2000 ? s : undefined;
    }, 10000, 'the Pair View to show line 2000 from a command link');
    assert.equal(last.kind, 'pair');
  });
});
