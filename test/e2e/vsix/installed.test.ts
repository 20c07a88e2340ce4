// The packaged extension, installed from its .vsix the way a user gets it, loads from the extensions folder,
// activates on a preference file and registers its commands.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { contributedCommandIds, hhFile, openFile, spoExtension, takeScreenshot, waitFor } from '../helpers';

describe('installed .vsix', () => {
  it('is loaded from the extensions folder, not from the repository', () => {
    const extensionsDir = process.env.SPO_TEST_EXTENSIONS_DIR;
    assert.ok(extensionsDir, 'SPO_TEST_EXTENSIONS_DIR is not set by the runner');
    const extension = spoExtension();
    assert.ok(extension.extensionPath.startsWith(path.resolve(extensionsDir) + path.sep),
      `${extension.id} loaded from ${extension.extensionPath}, expected under ${extensionsDir}`);
  });

  it('ships the bundles and wasm files and no node_modules', () => {
    const root = spoExtension().extensionPath;
    for (const file of ['dist/extension.js', 'dist/trainer.js', 'dist/cli.js', 'dist/tfjs-backend-wasm.wasm', 'package.json']) {
      assert.ok(fs.existsSync(path.join(root, file)), `missing ${file} in ${root}`);
    }
    assert.equal(fs.existsSync(path.join(root, 'node_modules')), false, 'node_modules was packaged');
    assert.equal(fs.existsSync(path.join(root, 'src')), false, 'src/ was packaged');
  });

  it('activates on opening the HH file and registers every contributed command', async () => {
    const extension = spoExtension();
    await openFile(hhFile());
    await waitFor(() => extension.isActive, 45000, `${extension.id} to activate`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributedCommandIds().filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    await takeScreenshot('vsix-installed');
  });
});
