#!/usr/bin/env node
// Runs an extensionTestsPath module (mocha suite) inside the REAL Node extension host of VS Code's server, with the
// workbench in headless Chromium; the exit code is the suite's. This is VS Code's own browser integration-test
// mechanism: the workbench calls window.codeAutomationExit(code) when run() settles and forwards the extension
// host's console to window.codeAutomationLog. A test asks for a screenshot by logging `@@spo-screenshot:<name>`;
// the runner saves <artifacts>/<name>.png and then writes <name>.done, which the test waits for.
//
// usage: node scripts/e2e/runExtensionTests.js --tests out/test/e2e/index [--dev DIR] [--workspace DIR]
//          [--artifacts DIR] [--extensions-dir DIR] [--untrusted] [--timeout MS] [--label NAME]
// env:   VERBOSE=1 shows all workbench console output; KEEP=1 keeps the temp dir (server log, profiles);
//        SPO_E2E_TIMEOUT_MS per-run time limit (default 5 min)
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO_ROOT, ensureHost, hostPaths } = require('./host');
const { startServer } = require('./server');
const { launchBrowser, workbenchUrl } = require('./workbench');
const { isNoise } = require('./logFilter');
const { createTestWorkspace } = require('./workspace');

const SCREENSHOT_MARKER = '@@spo-screenshot:';
const FAILED_MARKER = '[e2e failed] '; // test/e2e/index.ts names each failed test on a line that starts with it
const DEFAULT_ARTIFACTS = path.join(REPO_ROOT, '.test-artifacts', 'e2e');

/**
 * Options: testsPath (module exporting run()), extensionDevelopmentPath (default: repo root), workspace (default: a
 * fresh temp copy of the HH sample), artifactsDir, extensionsDir (installed extensions, e.g. from a .vsix),
 * trusted (default true), timeoutMs, label (names the final screenshot), env (extra extension-host env).
 * Resolves to { code, passed, failed, failures }: code 0 = all tests passed, 124 = timeout; the counts come from the
 * closing `N passed, N failed` line the test index prints, failures (title: first line of the error) from its
 * `[e2e failed] ` lines.
 */
async function runExtensionTests(opts) {
  const t0 = Date.now();
  const host = opts.host || hostPaths();
  if (!host.ok) throw new Error(`VS Code host not installed in ${host.dir}: run bash scripts/setup-vscode-host.sh`);
  const label = opts.label || 'e2e';
  const artifactsDir = path.resolve(opts.artifactsDir || DEFAULT_ARTIFACTS);
  fs.mkdirSync(artifactsDir, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `spo-${label}-`));
  let workspace;
  try {
    workspace = opts.workspace ? path.resolve(opts.workspace) : createTestWorkspace(path.join(tmp, 'workspace'));
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const testsPath = path.resolve(opts.testsPath);
  if (!fs.existsSync(`${testsPath}.js`) && !fs.existsSync(testsPath)) throw new Error(`tests module not found: ${testsPath}(.js); run npm run build`);

  let browser;
  let server;
  const cleanup = () => {
    if (server) server.stop();
    if (process.env.KEEP === '1') console.log(`[e2e:${label}] kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (sig) => { cleanup(); process.exit(sig === 'SIGINT' ? 130 : 143); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    server = await startServer({
      host, stateDir: tmp, extensionsDir: opts.extensionsDir, trusted: opts.trusted !== false,
      env: {
        SPO_TEST: '1', SPO_TEST_ARTIFACTS: artifactsDir, SPO_TEST_WORKSPACE: workspace, SPO_TEST_SCREENSHOTS: '1',
        SPO_TEST_TRUSTED: opts.trusted === false ? '0' : '1', ...opts.env,
      },
    });
    console.log(`[e2e:${label}] VS Code ${host.vscodeVersion} server on ${server.origin} after ${server.startMs} ms; `
      + `workspace ${workspace} (${opts.trusted === false ? 'untrusted' : 'trusted'})`);
    browser = await launchBrowser(host);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let finish;
    const counts = { passed: 0, failed: 0, failures: [] };
    const exitCode = new Promise((resolve) => { finish = resolve; });
    // Screenshots run one after another, so the final one waits for those still pending.
    let screenshots = Promise.resolve();
    const takeScreenshot = (name) => {
      const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
      screenshots = screenshots.then(async () => {
        const file = path.join(artifactsDir, `${safe}.png`);
        await page.screenshot({ path: file }).catch((e) => console.error(`[e2e:${label}] screenshot ${safe} failed: ${e.message}`));
        fs.writeFileSync(path.join(artifactsDir, `${safe}.done`), file);
      });
      return screenshots;
    };
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = (args || []).map(String).join(' ');
      const marker = text.indexOf(SCREENSHOT_MARKER);
      if (marker >= 0) { takeScreenshot(text.slice(marker + SCREENSHOT_MARKER.length).trim()); return; }
      const summary = /^(\d+) passed, (\d+) failed$/.exec(text.trim());
      if (summary) { counts.passed += Number(summary[1]); counts.failed += Number(summary[2]); }
      if (text.startsWith(FAILED_MARKER)) counts.failures.push(text.slice(FAILED_MARKER.length));
      if (!isNoise(text)) (console[type] || console.log)(...args); // keeps mocha's %s/%d formatting
    });
    await page.exposeFunction('codeAutomationExit', (code) => finish(code));
    page.on('pageerror', (e) => { if (!isNoise(e.message)) console.error(`[e2e:${label}] page error: ${e.message}`); });
    page.on('crash', () => { console.error(`[e2e:${label}] page crashed`); finish(1); });
    if (process.env.VERBOSE === '1') page.on('console', (m) => console.log('[browser]', m.text()));

    await page.goto(workbenchUrl(server, {
      folder: workspace,
      extensionDevelopmentPath: opts.extensionDevelopmentPath || REPO_ROOT,
      extensionTestsPath: testsPath,
    }));
    const timeoutMs = opts.timeoutMs || Number(process.env.SPO_E2E_TIMEOUT_MS) || 5 * 60 * 1000;
    const timer = setTimeout(() => { console.error(`[e2e:${label}] TIMEOUT after ${timeoutMs} ms`); finish(124); }, timeoutMs);
    const code = await exitCode;
    clearTimeout(timer);
    await screenshots;
    await page.screenshot({ path: path.join(artifactsDir, `${label}-end.png`) }).catch(() => {});
    console.log(`[e2e:${label}] extension tests exited with code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s; `
      + `screenshots in ${displayPath(artifactsDir)}`);
    return { code, ...counts };
  } finally {
    if (browser) await browser.close().catch(() => {});
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    cleanup();
  }
}

function displayPath(p) {
  const relative = path.relative(process.cwd(), p);
  return relative && !relative.startsWith('..') ? relative : p;
}

function parseArgs(argv) {
  const opts = { trusted: true };
  for (let i = 0; i < argv.length; i++) {
    const next = () => { if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`); return argv[++i]; };
    switch (argv[i]) {
      case '--tests': opts.testsPath = next(); break;
      case '--dev': opts.extensionDevelopmentPath = path.resolve(next()); break;
      case '--workspace': opts.workspace = next(); break;
      case '--artifacts': opts.artifactsDir = next(); break;
      case '--extensions-dir': opts.extensionsDir = path.resolve(next()); break;
      case '--untrusted': opts.trusted = false; break;
      case '--timeout': opts.timeoutMs = Number(next()); break;
      case '--label': opts.label = next(); break;
      default: throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!opts.testsPath) throw new Error('--tests MODULE is required');
  return opts;
}

if (require.main === module) {
  (async () => {
    const opts = parseArgs(process.argv.slice(2));
    opts.host = ensureHost();
    process.exitCode = (await runExtensionTests(opts)).code;
  })().catch((e) => { console.error(`[e2e] ${e.message}`); process.exitCode = 1; });
}

module.exports = { runExtensionTests, SCREENSHOT_MARKER };
