// Entry point VS Code loads through extensionTestsPath: runs the out/test/e2e/suite/**/*.test.js files with mocha (bdd)
// inside the extension host. A trusted run (the default) takes every file except *.untrusted.test.js; a run with
// SPO_TEST_TRUSTED=0 (the runner's --untrusted pass) takes only those. SPO_E2E_GREP narrows the run by test title.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  }).sort();
}

/** Prefix of the lines that name a failed test; scripts/e2e/runExtensionTests.js collects them for its summary. */
const FAILED_MARKER = '[e2e failed] ';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, grep: process.env.SPO_E2E_GREP });
  const untrusted = process.env.SPO_TEST_TRUSTED === '0';
  const files = testFiles(path.join(__dirname, 'suite')).filter((f) => f.endsWith('.untrusted.test.js') === untrusted);
  if (files.length === 0) return Promise.reject(new Error(`no *.test.js files under ${path.join(__dirname, 'suite')}`));
  for (const file of files) mocha.addFile(file);
  return new Promise((resolve, reject) => {
    const failed: string[] = [];
    const runner = mocha.run((failures) => {
      // Plain closing lines for whoever reads the CI log: its tail may be all they get, so each failure is named
      // there again (the runner repeats these lines in its summary).
      for (const line of failed) console.log(`${FAILED_MARKER}${line}`);
      console.log(`${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} e2e test(s) failed`));
      else resolve();
    });
    runner.on('fail', (test, err) => {
      const firstLine = String((err && (err as Error).message) || err).split('\n')[0].slice(0, 300);
      failed.push(`${test.fullTitle()}: ${firstLine}`);
    });
  });
}
