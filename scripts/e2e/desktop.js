// The second runner: the same suite in a desktop VS Code through @vscode/test-electron's runTests, used only when one
// is installed (test-electron cannot download VS Code offline).
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO_ROOT } = require('./host');
const { createTestWorkspace } = require('./workspace');

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try { fs.accessSync(file, fs.constants.X_OK); return file; } catch { /* not here */ }
  }
  return undefined;
}

/**
 * The desktop VS Code executable: VSCODE_EXECUTABLE, else the Electron binary behind `code` on PATH (runTests must
 * spawn the app itself; the `code` launcher script returns at once). Undefined when there is none.
 */
function findDesktopVSCode() {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  const launcher = onPath('code');
  if (!launcher) return undefined;
  const real = fs.realpathSync(launcher);
  if (path.basename(path.dirname(real)) === 'bin') { // <install>/bin/code -> <install>/code (Linux layout)
    const app = path.join(path.dirname(path.dirname(real)), 'code');
    if (fs.existsSync(app)) return app;
  }
  return real;
}

/** Runs the suite with runTests; resolves to { code, passed, failed } (counts read from the suite's closing line). */
async function runWithTestElectron({ vscodeExecutablePath, testsPath, artifactsDir }) {
  const { runTests } = require('@vscode/test-electron');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-electron-'));
  const counts = { passed: 0, failed: 0 };
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => { // tally the suite's `N passed, N failed` line as it streams by
    const m = /(\d+) passed, (\d+) failed/.exec(String(chunk));
    if (m) { counts.passed += Number(m[1]); counts.failed += Number(m[2]); }
    return write(chunk, ...rest);
  };
  try {
    const workspace = createTestWorkspace(path.join(tmp, 'workspace'));
    const code = await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.resolve(testsPath),
      launchArgs: [workspace, '--user-data-dir', path.join(tmp, 'user-data')],
      extensionTestsEnv: { SPO_TEST: '1', SPO_TEST_WORKSPACE: workspace, SPO_TEST_TRUSTED: '1', ...(artifactsDir ? { SPO_TEST_ARTIFACTS: artifactsDir } : {}) },
    }).catch((e) => { console.error(`[e2e:electron] ${e.message || e}`); return 1; });
    return { code, ...counts };
  } finally {
    process.stdout.write = write;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

module.exports = { findDesktopVSCode, runWithTestElectron };
