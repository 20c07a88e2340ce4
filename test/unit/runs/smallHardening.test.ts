// Issue 13 §8: the smaller ones. Webview messages are checked at runtime, CSV cells cannot become formulas,
// a hover code span cannot be closed by the phrase, the spo.config.json dialog names full paths and
// overrides, and `spo inspect` names every format of a file that mixes them.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { metricsToCsv, projectConfigSummary } from '../../../src/core/runs';
import { isCurvesCommand, isDegreesCommand, isPairViewMessage } from '../../../src/core/protocol/webviewGuards';
import { codeSpan } from '../../../src/core/keys/markdown';
import { resolveConfig } from '../../../src/core/train/config';
import { FIXTURES_DIR, REPO_ROOT } from '../../helpers/paths';

describe('small hardening (issue 13 §8)', () => {
  it('webview messages are type-checked field by field', () => {
    assert.equal(isCurvesCommand({ type: 'selectRuns', runs: ['a'] }), true);
    assert.equal(isCurvesCommand({ type: 'selectRuns', runs: 'a' }), false);
    assert.equal(isCurvesCommand({ type: 'pngData', dataUrl: 'file:///etc/passwd' }), false);
    assert.equal(isCurvesCommand({ type: 'rendered' }), false);
    assert.equal(isCurvesCommand({ type: 'nope' }), false);
    assert.equal(isCurvesCommand(null), false);
    assert.equal(isDegreesCommand({ type: 'reveal', line: 3 }), true);
    assert.equal(isDegreesCommand({ type: 'reveal', line: '3' }), false);
    assert.equal(isDegreesCommand({ type: 'reveal', line: -1 }), false);
    assert.equal(isPairViewMessage({ type: 'navigate', direction: 'sideways' }), false);
    assert.equal(isPairViewMessage({ type: 'goToLine', line: 1.5 }), false);
    assert.equal(isPairViewMessage({ type: 'goToLine', line: 2 }), true);
  });

  it('CSV export quotes text cells and neutralises leading = + - @', () => {
    const csv = metricsToCsv([{ name: '=HYPERLINK("http://x","y")', rows: [{ step: 1, loss: -0.5, '@evil': 2 }] }, { name: '+cmd', rows: [{ step: 2, loss: 1 }] }]);
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], `run,step,"'@evil",loss`);
    assert.equal(lines[1], `"'=HYPERLINK(""http://x"",""y"")",1,2,-0.5`);
    assert.equal(lines[2], `"'+cmd",2,,1`);
  });

  it('codeSpan escapes backtick runs of any length', () => {
    assert.equal(codeSpan('plain'), '`plain`');
    assert.equal(codeSpan('a ` b'), '``a ` b``');
    assert.equal(codeSpan('x ``` [link](command:evil) ``` y'), '````x ``` [link](command:evil) ``` y````');
    assert.equal(codeSpan('`edge`'), '`` `edge` ``');
    assert.equal(codeSpan('two\nlines'), '`two lines`');
  });

  it('the spo.config.json confirmation names full paths and the values overriding the picker', () => {
    const root = path.join(os.tmpdir(), 'ws');
    const cfg = resolveConfig([{ values: { data: '../../home/secret.jsonl', model: 'models/m', eval_data: 'held.jsonl', backend: 'cpu' } }]);
    const text = projectConfigSummary(cfg, root, { data: path.join(root, 'picked.jsonl'), backend: 'auto' });
    assert.match(text, new RegExp(`data: ${path.resolve(root, '../../home/secret.jsonl').replace(/[\\/.]/g, '\\$&')}`));
    assert.match(text, new RegExp(`model: ${path.join(root, 'models', 'm').replace(/[\\/.]/g, '\\$&')}`));
    assert.match(text, /eval data: .*held\.jsonl/);
    assert.match(text, /overrides:\n• data is .*secret\.jsonl, not the file you picked .*picked\.jsonl/);
    assert.match(text, /• backend is cpu, not the spo\.train\.backend setting \(auto\)/);
    const plain = projectConfigSummary(resolveConfig([{ values: { data: 'picked.jsonl' } }]), root, { data: path.join(root, 'picked.jsonl'), backend: 'auto' });
    assert.doesNotMatch(plain, /overrides/);
  });

  it('spo inspect names each format of a file that mixes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-mixed-'));
    try {
      const file = path.join(dir, 'mixed.jsonl');
      const first = (name: string) => fs.readFileSync(path.join(FIXTURES_DIR, 'data', name), 'utf8').split('\n')[0];
      fs.writeFileSync(file, [first('tldr.jsonl'), first('trl.jsonl'), first('trl.jsonl')].join('\n') + '\n');
      const cli = path.join(REPO_ROOT, 'out', 'src', 'cli', 'main.js');
      const human = execFileSync(process.execPath, [cli, 'inspect', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(human, /format: {2}mixed: tldr \(1 record, first at line 1\), trl \(2 records, first at line 2, 2 not read\)/);
      const json = JSON.parse(execFileSync(process.execPath, [cli, 'inspect', '--json', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
      assert.deepEqual(json.formats, { tldr: 1, trl: 2 });
      assert.match(json.errors[0].message, /this record is trl, the file so far is tldr: the file mixes formats/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
