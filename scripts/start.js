#!/usr/bin/env node
// `npm start`: try SPO Studio in a real VS Code. Generates the demo data if missing, prints `spo inspect` of it, starts
// a tiny SPO run on it in the background (examples/.spo/runs/demo-<time>, where the curves panel finds it), then
// opens VS Code with the freshly built extension on the examples folder: the desktop app when `code` is installed,
// otherwise VS Code's server (installed by scripts/setup-vscode-host.sh) at a URL to open in a browser.
// usage: npm start [-- --web] [-- --port N] [-- --no-train] [-- --check]
//   --web       use VS Code's server even when a desktop VS Code is installed
//   --no-train  skip the demo training run
//   --check     (CI) train a 4-step run, start the server, load the workbench in headless Chromium, check the
//               extension activated and the curves panel shows the run, save .test-artifacts/start.png and
//               start-curves.png, exit 0/1
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { REPO_ROOT, ensureHost } = require('./e2e/host');
const { portIsFree, startServer } = require('./e2e/server');
const { launchBrowser, runFromPalette, waitForWorkbench, workbenchUrl } = require('./e2e/workbench');
const { findDesktopVSCode } = require('./e2e/desktop');
const { startDemoRun, learningSummary, describeLearning, degreesTable } = require('./start/demoRun');
const { checkCurvesPanel } = require('./start/curvesCheck');

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const DEMO_FILE = path.join(EXAMPLES, 'demo-preferences.jsonl');
// The extension's default `spo.train.runsDirectory` (.spo/runs) inside the opened folder.
const RUNS_DIR = path.join(EXAMPLES, '.spo', 'runs');
const EXTENSION_ID = 'spo-studio.spo-studio';
const DEFAULT_PORT = 8765;

function option(argv, name) {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function ensureDemoData() {
  if (fs.existsSync(DEMO_FILE)) return true;
  const generator = path.join(REPO_ROOT, 'out', 'scripts', 'make-demo-data.js');
  if (!fs.existsSync(generator)) {
    console.log(`[start] ${path.relative(REPO_ROOT, DEMO_FILE)} is missing and there is no generator (out/scripts/make-demo-data.js) yet; skipping the demo data`);
    return false;
  }
  console.log('[start] generating the demo data');
  const result = spawnSync(process.execPath, [generator], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) console.log(`[start] the demo data generator exited ${result.status}; continuing without it`);
  return fs.existsSync(DEMO_FILE);
}

function printInspection() {
  console.log(`[start] spo inspect ${path.relative(REPO_ROOT, DEMO_FILE)}`);
  const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'spo.js'), 'inspect', DEMO_FILE], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (result.status !== 0) console.log(`[start] spo inspect exited ${result.status}`);
}

function openDesktop(executable) {
  console.log(`[start] opening desktop VS Code (${executable}) with the development extension on ${EXAMPLES}`);
  const child = spawn(executable, [`--extensionDevelopmentPath=${REPO_ROOT}`, EXAMPLES], { stdio: 'inherit' });
  child.on('exit', (code) => { process.exitCode = code ?? 0; });
}

/** Finds evidence in the server's logs that the extension host activated SPO Studio. */
function activationLogged(logsDir) {
  if (!fs.existsSync(logsDir)) return false;
  return fs.readdirSync(logsDir, { recursive: true })
    .filter((f) => String(f).endsWith('remoteexthost.log'))
    .some((f) => fs.readFileSync(path.join(logsDir, String(f)), 'utf8').includes(`_doActivateExtension ${EXTENSION_ID}`));
}

async function waitUntil(predicate, timeoutMs) {
  const t0 = Date.now();
  for (;;) {
    if (predicate()) return true;
    if (Date.now() - t0 >= timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Starts the demo training run in the background. `outcome` resolves once it ended and its results are printed:
 * { ok, message }.
 */
function startTraining(checkOnly) {
  const run = startDemoRun({ dataFile: DEMO_FILE, runsDir: RUNS_DIR, check: checkOnly });
  console.log(`[start] training a tiny SPO model on the demo data in the background (${checkOnly ? 'a few steps for --check' : 'about 1–2 minutes'}):`);
  console.log(`[start]   ${run.command}`);
  if (!checkOnly) console.log(`[start]   its curves: F1 → SPO: Show Training Curves in VS Code (run ${run.name}; the panel reads it when opened: reopen it to refresh)`);
  let stopping = false;
  const stop = () => { stopping = true; return run.stop(); };
  const outcome = run.finished.then((code) => {
    if (stopping) return { ok: false, message: `the demo training run was stopped; resume it with node bin/spo.js train --out ${path.relative(REPO_ROOT, run.runDir)} --resume` };
    if (code !== 0) {
      return { ok: false, message: `the demo training run failed (spo train exited ${code}); see the [train] lines above and ${path.relative(REPO_ROOT, run.runDir)}/log.txt` };
    }
    const where = path.relative(REPO_ROOT, run.runDir);
    console.log(`[start] training done: ${describeLearning(learningSummary(run.runDir))}`);
    if (!checkOnly) {
      const degrees = degreesTable(run.runDir, 10);
      console.log(`[start] spo degrees --run ${where} --limit 10  (the 10 hardest pairs by the trained model)`);
      console.log(degrees.text);
      if (!degrees.ok) return { ok: false, message: `spo degrees --run ${where} failed` };
      console.log(`[start] in VS Code: F1 → SPO: Show Training Curves draws run ${run.name} (reopen the panel if it was open)`);
    }
    return { ok: true, message: `run ${where} completed` };
  }).catch((e) => ({ ok: false, message: `reading the demo training run failed: ${e.message}` }));
  return { run, outcome, stop };
}

/** --check: the workbench loads in headless Chromium, the extension activates and its commands reach the palette. */
async function check(host, server, url, training) {
  const browser = await launchBrowser(host);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await waitForWorkbench(page);
    if (fs.existsSync(DEMO_FILE)) { // open the demo file through Quick Open, as a user would
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget .quick-input-box input').fill(path.basename(DEMO_FILE));
      await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(DEMO_FILE) }).first().waitFor({ timeout: 15000 });
      await page.keyboard.press('Enter');
    }
    // With a preference file open the extension activates by itself; the palette command (listed only once the
    // contributions loaded) activates it otherwise, e.g. while examples/ is still empty.
    await waitUntil(() => activationLogged(server.logsDir), fs.existsSync(DEMO_FILE) ? 60000 : 0);
    await page.waitForTimeout(2000); // let the decorations paint
    const shot = path.join(REPO_ROOT, '.test-artifacts', 'start.png');
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    await runFromPalette(page, 'SPO: Toggle Key-Content Highlights');
    if (!(await waitUntil(() => activationLogged(server.logsDir), 30000))) {
      throw new Error(`${EXTENSION_ID} did not activate (logs: ${server.logsDir})`);
    }
    console.log(`[start] check: workbench loaded, ${EXTENSION_ID} activated, its command ran from the palette; screenshot ${path.relative(REPO_ROOT, shot)}`);
    if (!training) return;
    const result = await training.outcome;
    if (!result.ok) throw new Error(result.message);
    const curves = await checkCurvesPanel(page, training.run.name);
    await page.waitForTimeout(1000); // let the last frame paint
    const curvesShot = path.join(REPO_ROOT, '.test-artifacts', 'start-curves.png');
    await page.screenshot({ path: curvesShot });
    console.log(`[start] check: SPO: Show Training Curves shows "${curves.chip}" with ${curves.charts} chart canvases; screenshot ${path.relative(REPO_ROOT, curvesShot)}`);
  } finally {
    await browser.close().catch(() => {});
  }
}

/** Ctrl-C / SIGTERM: stop the training run (it checkpoints) and whatever else runs, then exit. */
function onSignals(cleanup) {
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[start] stopping');
    await cleanup();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

async function main() {
  const argv = process.argv.slice(2);
  const checkOnly = argv.includes('--check');
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run npm run build (npm start does)');
  const haveDemo = ensureDemoData();
  if (haveDemo) printInspection();
  const training = haveDemo && !argv.includes('--no-train') ? startTraining(checkOnly) : null;
  // Interactive runs report a failed or stopped run; --check turns it into its own failure.
  const reported = training && !checkOnly ? training.outcome.then((r) => { if (!r.ok) console.error(`[start] ${r.message}`); }) : null;
  const stopTraining = async () => { if (training) { await training.stop(); await reported; } };
  let stopServer = () => {};
  // From here on, so a Ctrl-C while the server starts leaves no trainer behind either.
  onSignals(async () => { await stopTraining(); stopServer(); });

  const desktop = !checkOnly && !argv.includes('--web') && findDesktopVSCode();
  if (desktop) {
    openDesktop(desktop);
    return;
  }

  try {
    const host = ensureHost();
    fs.mkdirSync(EXAMPLES, { recursive: true });
    const requested = Number(option(argv, '--port') || process.env.PORT || DEFAULT_PORT);
    // --check runs in a throw-away profile; the interactive server keeps its settings between starts.
    const stateDir = checkOnly ? fs.mkdtempSync(path.join(os.tmpdir(), 'spo-start-')) : path.join(host.dir, 'start-profile');
    const server = await startServer({ host, stateDir, port: (await portIsFree(requested)) ? requested : undefined });
    const url = workbenchUrl(server, { folder: EXAMPLES, extensionDevelopmentPath: REPO_ROOT });
    const stop = () => { server.stop(); if (checkOnly) fs.rmSync(stateDir, { recursive: true, force: true }); };
    stopServer = stop;

    if (checkOnly) {
      try { await check(host, server, url, training); } finally { stop(); }
      // The check's run served its purpose; kept only when the check failed, to look at.
      if (training) {
        fs.rmSync(training.run.runDir, { recursive: true, force: true });
        for (const dir of [RUNS_DIR, path.dirname(RUNS_DIR)]) { try { fs.rmdirSync(dir); } catch { /* holds other runs */ } }
      }
      console.log('[start] check passed');
      return;
    }
    console.log(`\n[start] VS Code ${host.vscodeVersion} with SPO Studio (development build) is running. Open in a browser:\n\n  ${url}\n`);
    console.log(`[start] (remote machine? forward the port first: ssh -L ${server.port}:127.0.0.1:${server.port} <host>)  Ctrl-C stops it.`);
    await new Promise(() => {}); // runs until a signal arrives
  } catch (e) {
    await stopTraining(); // a failed start leaves no trainer behind
    throw e;
  }
}

main().catch((e) => { console.error(`[start] ${e.message}`); process.exitCode = 1; });
