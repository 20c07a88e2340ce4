// extensionTestsPath module of the .vsix check: runs installed.test.js with mocha in an extension host where SPO Studio
// comes from the installed .vsix (the development extension is only the empty probe in this folder).
import * as path from 'path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000 });
  mocha.addFile(path.join(__dirname, 'installed.test.js'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`${mocha.suite.total() - failures} passed, ${failures} failed`);
      if (failures > 0) reject(new Error(`${failures} .vsix test(s) failed`));
      else resolve();
    });
  });
}
