// The .vsix check: installs the packaged extension into a fresh extensions folder with the VS Code server's CLI and
// runs test/e2e/vsix against it. VS Code runs extensionTestsPath only next to a development extension, so an empty
// probe extension (test/e2e/vsix/package.json) plays that part and SPO Studio itself is the installed copy.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO_ROOT } = require('./host');
const { installVsix } = require('./server');
const { runExtensionTests } = require('./runExtensionTests');

async function checkVsix({ host, vsix, artifactsDir }) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-vsix-install-'));
  try {
    const extensionsDir = path.join(stateDir, 'extensions');
    const t0 = Date.now();
    const message = installVsix({ host, vsix, extensionsDir, stateDir });
    console.log(`[e2e:vsix] ${message.split('\n').pop()} (${Date.now() - t0} ms) into ${extensionsDir}`);
    return await runExtensionTests({ // resolves to { code, passed, failed }
      host, label: 'vsix', artifactsDir, extensionsDir,
      extensionDevelopmentPath: path.join(REPO_ROOT, 'test', 'e2e', 'vsix'),
      testsPath: path.join(REPO_ROOT, 'out', 'test', 'e2e', 'vsix', 'index'),
      env: { SPO_TEST_EXTENSIONS_DIR: extensionsDir },
    });
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

module.exports = { checkVsix };
