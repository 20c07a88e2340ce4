// Issue 13 §1: a run folder shipped in a repository cannot make the trainer or the CLI write through a link,
// outside the folder it claims to be in, or a crafted name into a log line; a foreign run needs --trust-run.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateDemoPairs } from '../../../src/core/data/demoData';
import { tinyConfig } from '../../helpers/tinyRun';
import { train } from '../../../src/core/train/trainer';
import { RunFolder } from '../../../src/core/train/runFolder';
import { parseTrainArgs } from '../../../src/trainer/run';
import { appendFileNoFollow, mkdirNoFollow, writeFileAtomic } from '../../../src/core/fs/safeFiles';
import { runOwnership } from '../../../src/core/runs/runOwnership';

describe('hostile run folders (issue 13 §1)', () => {
  let dir: string;
  let data: string;
  let bashrc: string;
  const BASHRC = '# the user\'s shell start-up file\nexport PATH=$PATH:~/bin\n';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-hostile-'));
    data = path.join(dir, 'demo.jsonl');
    const pairs = generateDemoPairs({ count: 24, seed: 3 });
    fs.writeFileSync(data, pairs.map((p) => JSON.stringify({ prompt: p.prompt, chosen: p.chosen, rejected: p.rejected })).join('\n') + '\n');
    bashrc = path.join(dir, 'home', '.bashrc');
    fs.mkdirSync(path.dirname(bashrc), { recursive: true });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const resetBashrc = () => fs.writeFileSync(bashrc, BASHRC);

  it('resume does not append to a log.txt link nor overwrite a tokenizer.json link', async () => {
    const runDir = path.join(dir, 'repo', '.spo', 'runs', 'shipped');
    const first = await train({ config: tinyConfig(data, { max_steps: 2 }), runDir });
    assert.equal(first.reason, 'completed');
    // The repository's author replaces two files with links into the victim's home.
    resetBashrc();
    const tokenizerTarget = path.join(dir, 'home', 'precious.json');
    fs.writeFileSync(tokenizerTarget, '{"keep": true}\n');
    fs.rmSync(path.join(runDir, 'log.txt'));
    fs.symlinkSync(bashrc, path.join(runDir, 'log.txt'));
    fs.rmSync(path.join(runDir, 'tokenizer.json'));
    fs.symlinkSync(tokenizerTarget, path.join(runDir, 'tokenizer.json'));
    await assert.rejects(train({ config: tinyConfig(data, { max_steps: 4 }), runDir, resume: true }), /symbolic link/);
    assert.equal(fs.readFileSync(bashrc, 'utf8'), BASHRC, 'the log link target is untouched');
    assert.equal(fs.readFileSync(tokenizerTarget, 'utf8'), '{"keep": true}\n', 'the tokenizer link target is untouched');
  });

  it('refuses a run folder that is itself a link, and a checkpoints/ or reference/ link inside it', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere, { recursive: true });
    const linked = path.join(dir, 'linked-run');
    fs.symlinkSync(elsewhere, linked);
    assert.throws(() => new RunFolder(linked).claim(), /symbolic link/);
    const real = path.join(dir, 'real-run');
    fs.mkdirSync(real);
    fs.symlinkSync(elsewhere, path.join(real, 'checkpoints'));
    assert.throws(() => mkdirNoFollow(real, path.join(real, 'checkpoints', 'step-2')), /symbolic link, not a folder/);
    fs.symlinkSync(elsewhere, path.join(real, 'reference'));
    assert.throws(() => new RunFolder(real).mkdir('reference'), /symbolic link/);
    assert.deepEqual(fs.readdirSync(elsewhere), [], 'nothing was written through the links');
  });

  it('appends and replaces files only when they are regular files, never through a link', () => {
    resetBashrc();
    const run = path.join(dir, 'files-run');
    fs.mkdirSync(run);
    fs.symlinkSync(bashrc, path.join(run, 'metrics.jsonl'));
    assert.throws(() => appendFileNoFollow(path.join(run, 'metrics.jsonl'), '{}\n'), /symbolic link/);
    fs.symlinkSync(bashrc, path.join(run, 'config.json'));
    assert.throws(() => writeFileAtomic(path.join(run, 'config.json'), '{}'), /symbolic link/);
    // A pre-planted temp-file link is removed (the link, not its target), then the file is written fresh.
    fs.symlinkSync(bashrc, path.join(run, `split.json.tmp-${process.pid}`));
    writeFileAtomic(path.join(run, 'split.json'), '{"ok":1}');
    assert.equal(fs.readFileSync(path.join(run, 'split.json'), 'utf8'), '{"ok":1}');
    assert.equal(fs.readFileSync(bashrc, 'utf8'), BASHRC);
  });

  it('refuses run names with control characters (a newline would put a command line into log.txt)', () => {
    const cwd = path.join(dir, 'cli');
    fs.mkdirSync(cwd, { recursive: true });
    assert.throws(() => parseTrainArgs(['--data', data, '--output-dir', '.spo/runs/inj\necho PWNED #'], cwd), /control characters/);
    assert.throws(() => parseTrainArgs(['--data', data, '--output-dir', 'run\u001b[2J'], cwd), /control characters/);
    // log.txt lines escape control characters in any message too, so one event stays one line.
    const run = new RunFolder(path.join(dir, 'log-run'));
    run.record({ type: 'log', level: 'info', message: 'a\necho PWNED #', time: 0 });
    const log = fs.readFileSync(run.path('log.txt'), 'utf8');
    assert.equal(log.split('\n').length, 2);
    assert.match(log, /a\\u000aecho PWNED #/);
  });

  it('refuses a relative run folder whose parents resolve outside the working folder', () => {
    const cwd = path.join(dir, 'repo2');
    const outside = path.join(dir, 'victim-home');
    fs.mkdirSync(cwd, { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
    fs.symlinkSync(outside, path.join(cwd, '.spo'));
    assert.throws(() => parseTrainArgs(['--data', data, '--output-dir', '.spo/runs/x'], cwd), /resolves to .*victim-home.*outside/);
    assert.doesNotThrow(() => parseTrainArgs(['--data', data, '--output-dir', 'runs/x'], cwd));
  });

  it('resumes a run folder that is not this machine\'s own only with --trust-run, naming its real path', async () => {
    const cwd = path.join(dir, 'repo3');
    const runDir = path.join(cwd, '.spo', 'runs', 'foreign');
    const done = await train({ config: tinyConfig(data, { max_steps: 2 }), runDir });
    assert.equal(done.reason, 'completed');
    assert.equal(runOwnership(runDir).own, true, 'a run this machine started is its own');
    // As shipped from another machine: its started event names another host.
    const metrics = path.join(runDir, 'metrics.jsonl');
    fs.writeFileSync(metrics, fs.readFileSync(metrics, 'utf8').replace(/"host":"[^"]*"/g, '"host":"attacker-laptop"'));
    const own = runOwnership(runDir);
    assert.equal(own.own, false);
    assert.match(own.reasons.join(), /attacker-laptop/);
    assert.throws(
      () => parseTrainArgs(['--resume', '--output-dir', '.spo/runs/foreign'], cwd),
      (err: Error) => err.message.includes(fs.realpathSync(runDir)) && /not this machine's own.*--trust-run/.test(err.message),
    );
    assert.doesNotThrow(() => parseTrainArgs(['--resume', '--output-dir', '.spo/runs/foreign', '--trust-run'], cwd));
  });
});

describe('resume arguments after a confirmation', () => {
  it('pass --trust-run only when the user confirmed a foreign run folder', async () => {
    const { resumeArgs } = await import('../../../src/core/runs/resumableRuns');
    assert.deepEqual(resumeArgs('/w/.spo/runs/a'), ['--resume', '--output-dir', '/w/.spo/runs/a']);
    assert.deepEqual(resumeArgs('/w/.spo/runs/a', 50, true), ['--resume', '--output-dir', '/w/.spo/runs/a', '--trust-run', '--max-steps', '50']);
  });
});
