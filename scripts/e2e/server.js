// Starts VS Code's own server (server-main.js from code-server) in its own process group, and installs .vsix files
// into an extensions dir. The code-server CLI wrapper rejects --enable-smoke-test-driver, which the built workbench
// needs before it honours extensionDevelopmentPath/extensionTestsPath from the URL payload; hence server-main.js.
const { spawn, spawnSync } = require('child_process');
const { cleanInstallEnv } = require('../clean-env');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function answers(port) {
  return new Promise((resolve) => {
    http.get(`http://127.0.0.1:${port}/`, (res) => { res.resume(); resolve(res.statusCode === 200); })
      .on('error', () => resolve(false));
  });
}

// User settings for a quiet, deterministic workbench: no welcome page, no AI side bar, no trust prompt (an untrusted
// run stays untrusted without a modal dialog), nothing fetched from the network.
const TEST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'always',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
};

/** Writes user settings where code-server's VS Code server keeps them (server side, <user-data>/User). */
function writeUserSettings(userDataDir, settings) {
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(settings, null, 2));
}

/**
 * Starts the server on a free port (or `port`). `stateDir` receives server data, user data, extensions (unless
 * `extensionsDir` is given) and server.log. `trusted: true` disables workspace trust, so every folder is trusted.
 * `env` is merged into the server's environment, which the extension host inherits.
 */
async function startServer({ host, stateDir, port, extensionsDir, trusted = true, env = {}, smokeTestDriver = true, startTimeoutMs = 60000 }) {
  fs.mkdirSync(stateDir, { recursive: true });
  writeUserSettings(path.join(stateDir, 'user-data'), TEST_SETTINGS);
  const chosenPort = port || await freePort();
  const logPath = path.join(stateDir, 'server.log');
  const logFd = fs.openSync(logPath, 'w');
  const args = [host.serverMain,
    '--host', '127.0.0.1', '--port', String(chosenPort), '--without-connection-token', '--accept-server-license-terms',
    '--disable-telemetry',
    '--server-data-dir', path.join(stateDir, 'server-data'),
    '--user-data-dir', path.join(stateDir, 'user-data'),
    '--extensions-dir', extensionsDir || path.join(stateDir, 'extensions'),
  ];
  if (smokeTestDriver) args.push('--enable-smoke-test-driver');
  if (trusted) args.push('--disable-workspace-trust');
  // detached: the server gets its own process group, so stop() also ends its extension hosts and helpers.
  // Its environment is a user's, not that of the `npm test`/`npm start` it runs under: an extension host that
  // inherited npm's config and PATH entries would hand them to the trainer and to any pip it starts.
  const child = spawn(host.node, args, { stdio: ['ignore', logFd, logFd], detached: true, env: { ...cleanInstallEnv(), ...env } });
  fs.closeSync(logFd);
  const stop = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
  const t0 = Date.now();
  while (!(await answers(chosenPort))) {
    if (child.exitCode !== null || Date.now() - t0 > startTimeoutMs) {
      stop();
      throw new Error(`VS Code server did not start (exit ${child.exitCode}); log ${logPath}:\n${fs.readFileSync(logPath, 'utf8').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port: chosenPort,
    origin: `http://127.0.0.1:${chosenPort}`,
    /** A path on this machine as the workbench addresses it (the server is the remote authority). */
    remoteUri: (p) => `vscode-remote://127.0.0.1:${chosenPort}${path.resolve(p)}`,
    logPath,
    logsDir: path.join(stateDir, 'user-data', 'logs'),
    startMs: Date.now() - t0,
    stop,
  };
}

/** Installs a .vsix into `extensionsDir` with the server's CLI (no network needed). */
function installVsix({ host, vsix, extensionsDir, stateDir }) {
  const result = spawnSync(host.node, [host.serverMain, '--accept-server-license-terms',
    '--server-data-dir', path.join(stateDir, 'server-data'), '--user-data-dir', path.join(stateDir, 'user-data'),
    '--extensions-dir', extensionsDir, '--install-extension', path.resolve(vsix), '--force'], { encoding: 'utf8', timeout: 120000 });
  const out = `${result.stdout || ''}${result.stderr || ''}`;
  if (result.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed (exit ${result.status}):\n${out}`);
  }
  return out.trim();
}

module.exports = { freePort, portIsFree, startServer, installVsix };
