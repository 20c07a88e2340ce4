#!/usr/bin/env node
// `npm run test:e2e`: the e2e tests in a real VS Code. Sets up the VS Code host if needed, then runs
//   1. the suite (test/e2e/suite) against the development extension, in a trusted workspace;
//   2. the *.untrusted.test.js files of that suite in an untrusted workspace (Restricted Mode);
//   3. the .vsix check: package, install into a fresh extensions folder, test the installed copy;
//   4. the same suite through @vscode/test-electron when a desktop VS Code exists (`code` on PATH or
//      VSCODE_EXECUTABLE); offline machines have none, so that runner says why it does not run.
// Exit code 0 only when every run passed. Screenshots: .test-artifacts/e2e/. VERBOSE=1 shows the workbench noise.
// usage: node scripts/e2e.js [--no-vsix] [--no-untrusted]
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { REPO_ROOT, ensureHost } = require('./e2e/host');
const { runExtensionTests } = require('./e2e/runExtensionTests');
const { checkVsix } = require('./e2e/vsixCheck');
const { findDesktopVSCode, runWithTestElectron } = require('./e2e/desktop');
const { packageExtension } = require('./package');

const ARTIFACTS = path.join(REPO_ROOT, '.test-artifacts', 'e2e');
const TESTS_INDEX = path.join(REPO_ROOT, 'out', 'test', 'e2e', 'index');

/** Builds when the bundles or the compiled tests are missing (npm test builds first; test:e2e alone may not). */
function ensureBuilt() {
  const needed = [path.join(REPO_ROOT, 'dist', 'extension.js'), `${TESTS_INDEX}.js`];
  if (needed.every((f) => fs.existsSync(f))) return;
  console.log('[e2e] build output missing: building');
  // tsc still emits when some file has type errors; the bundle step is what must succeed.
  spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', REPO_ROOT], { stdio: 'inherit' });
  const bundle = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
  if (bundle.status !== 0 || !needed.every((f) => fs.existsSync(f))) throw new Error('build failed: run npm run build');
}

function hasUntrustedTests(dir) {
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('.untrusted.test.js'));
}

async function main() {
  const argv = process.argv.slice(2);
  const t0 = Date.now();
  const host = ensureHost();
  ensureBuilt();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  const results = [];
  // A run that failed without reporting a failing test (crash, timeout, load error) still counts as one failure.
  const record = (name, r) => { results.push({ name, ...r, failed: r.code !== 0 && r.failed === 0 ? 1 : r.failed }); };

  record('suite (trusted workspace)', await runExtensionTests({ host, testsPath: TESTS_INDEX, artifactsDir: ARTIFACTS, label: 'e2e' }));
  if (!argv.includes('--no-untrusted') && hasUntrustedTests(path.join(REPO_ROOT, 'out', 'test', 'e2e', 'suite'))) {
    record('suite (untrusted workspace)', await runExtensionTests({ host, testsPath: TESTS_INDEX, artifactsDir: ARTIFACTS, label: 'untrusted', trusted: false }));
  }
  if (!argv.includes('--no-vsix')) {
    let vsix;
    try { vsix = packageExtension(); } catch (e) { console.error(`[e2e] packaging failed: ${e.message}`); }
    record('installed .vsix', vsix ? await checkVsix({ host, vsix, artifactsDir: ARTIFACTS }) : { code: 1, passed: 0, failed: 1 });
  }
  const desktop = findDesktopVSCode();
  if (desktop) {
    record(`suite (@vscode/test-electron, ${desktop})`, await runWithTestElectron({ vscodeExecutablePath: desktop, testsPath: TESTS_INDEX, artifactsDir: ARTIFACTS }));
  } else {
    console.log('[e2e] @vscode/test-electron runner not used: no desktop VS Code here (no `code` on PATH, VSCODE_EXECUTABLE unset), '
      + 'and it cannot download one offline; the suite ran in VS Code server instead.');
  }

  console.log(`\n[e2e] summary (${((Date.now() - t0) / 1000).toFixed(1)} s):`);
  for (const r of results) {
    console.log(`  ${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.name}: ${r.passed} passed, ${r.failed} failed${r.code === 124 ? ' (timeout)' : ''}`);
    for (const f of r.failures || []) console.log(`        failed: ${f}`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  return results.every((r) => r.code === 0) ? 0 : 1;
}

main().then((code) => { process.exitCode = code; }, (e) => { console.error(`[e2e] ${e.message}`); process.exitCode = 1; });
