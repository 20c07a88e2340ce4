// Helpers for e2e tests that run inside the real extension host: workspace paths, waiting, opening files and
// screenshots of the workbench (taken by scripts/e2e/runExtensionTests.js on request).
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'spo-studio.spo-studio';
const SCREENSHOT_MARKER = '@@spo-screenshot:';

/** The folder the runner opened (a temp copy holding hh-rlhf.jsonl and examples/). */
export function workspaceDir(): string {
  const dir = process.env.SPO_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!dir) throw new Error('no test workspace: SPO_TEST_WORKSPACE is unset and no folder is open');
  return dir;
}

/** The real Anthropic HH sample, decompressed into the workspace by the runner. */
export function hhFile(): string {
  return path.join(workspaceDir(), 'hh-rlhf.jsonl');
}

/** Where screenshots and other test outputs go (git-ignored). */
export function artifactsDir(): string {
  const dir = process.env.SPO_TEST_ARTIFACTS ?? path.join(workspaceDir(), '.test-artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `predicate` until it returns a truthy value (which is returned); fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(predicate: () => T | Promise<T>, timeoutMs = 10000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Opens a workspace file (path relative to the workspace, or absolute) in an editor. */
export async function openFile(file: string): Promise<vscode.TextEditor> {
  const full = path.isAbsolute(file) ? file : path.join(workspaceDir(), file);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(full));
  return vscode.window.showTextDocument(document, { preview: false });
}

/** The SPO Studio extension as VS Code loaded it; fails clearly when it is missing. */
export function spoExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return extension;
}

/** Ids of the commands the extension contributes in its package.json. */
export function contributedCommandIds(): string[] {
  const commands = (spoExtension().packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands;
  return (commands ?? []).map((c) => c.command);
}

/**
 * Saves a screenshot of the whole workbench as <artifacts>/<name>.png and returns its path. The runner takes it
 * when it sees the marker line; under a runner without screenshot support (desktop VS Code) this returns undefined.
 */
export async function takeScreenshot(name: string, timeoutMs = 15000): Promise<string | undefined> {
  if (process.env.SPO_TEST_SCREENSHOTS !== '1') return undefined;
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  const done = path.join(artifactsDir(), `${safe}.done`);
  fs.rmSync(done, { force: true });
  await sleep(300); // let the workbench paint the last change before the picture is taken
  console.log(`${SCREENSHOT_MARKER}${safe}`);
  await waitFor(() => fs.existsSync(done), timeoutMs, `screenshot ${safe}.png`);
  fs.rmSync(done, { force: true });
  return path.join(artifactsDir(), `${safe}.png`);
}
