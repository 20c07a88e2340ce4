// `spo experiment` flag handling: clear usage errors before any training starts.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { PassThrough } from 'stream';
import { experimentCommand, parseSweep } from '../../../src/cli/commands/experiment';
import { UsageError } from '../../../src/cli/command';
import { experimentArms, armFolder } from '../../../src/core/experiment/runner';

const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough() });
const run = (args: string[]) => experimentCommand.run(args, io());

test('--sweep parses classes and gamma lists and refuses bad values', () => {
  assert.deepEqual(parseSweep('classes=2,3,4,6'), { key: 'classes', values: [2, 3, 4, 6] });
  assert.deepEqual(parseSweep('gamma=0.01,0.1,0.5,1'), { key: 'gamma', values: [0.01, 0.1, 0.5, 1] });
  assert.throws(() => parseSweep('beta=1,2'), /--sweep must be classes=V1,V2,\.\.\. or gamma=/);
  assert.throws(() => parseSweep('classes=2,1'), /'1' must be an integer in \[2, 64\]/);
  assert.throws(() => parseSweep('gamma=0,1'), /'0' must be > 0/);
  assert.throws(() => parseSweep('gamma=0.1,,1'), /'' must be a number/);
  assert.throws(() => parseSweep('classes=3,3'), /values repeat/);
});

test('usage errors name the flag and the bad value', async () => {
  await assert.rejects(run([]), (e: Error) => e instanceof UsageError && /expected 'spo-vs-dpo' or 'render'/.test(e.message));
  await assert.rejects(run(['dpo-vs-spo', '--data', 'x']), /got 'dpo-vs-spo'/);
  await assert.rejects(run(['spo-vs-dpo']), /--data FILE is required/);
  await assert.rejects(run(['render']), /render takes one folder/);
  await assert.rejects(run(['render', '/nonexistent-dir']), /nonexistent-dir\/results\.json: cannot read experiment results/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--seeds', '0']), /--seeds must be a positive integer, got '0'/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--held-out', '1']), /--held-out must be a number in \(0, 1\), got '1'/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--preset', 'big']), /--preset must be 'tiny', got 'big'/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--preset', 'tiny', '--model', 'm']), /either --preset tiny or --model DIR/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--sweep', 'gamma=0.1', '--gamma', '0.5']), /--gamma conflicts with --sweep gamma/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--set', 'nope=1']), /unknown config key "nope" in --set/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--set', 'seed=3']), /'seed' is set by the experiment itself/);
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--max-steps', '0']), (e: Error) => e instanceof UsageError && /"max_steps" must be an integer .*, got 0/.test(e.message));
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--max-steps']), (e: Error) => e instanceof UsageError && /--max-steps/.test(e.message));
  await assert.rejects(run(['spo-vs-dpo', '--data', 'x', '--bogus']), (e: Error) => e instanceof UsageError && /--bogus/.test(e.message));
});

test('arms: DPO baseline first, then one SPO arm, or one per swept value', () => {
  assert.deepEqual(experimentArms(0.1, 4, null).map((a) => [a.name, a.gamma, a.classes]), [['dpo', 0, 4], ['dpo+spo', 0.1, 4]]);
  const sweep = experimentArms(0.1, 4, { key: 'classes', values: [2, 6] });
  assert.deepEqual(sweep.map((a) => [a.name, a.gamma, a.classes, a.sweepValue]), [['dpo', 0, 4, null], ['dpo+spo K=2', 0.1, 2, 2], ['dpo+spo K=6', 0.1, 6, 6]]);
  assert.deepEqual(sweep.map((a) => armFolder(a, 'classes')), ['dpo', 'dpo-spo-classes-2', 'dpo-spo-classes-6']);
  const g = experimentArms(0.1, 4, { key: 'gamma', values: [0.5] });
  assert.deepEqual(g.map((a) => [a.name, a.gamma, a.classes]), [['dpo', 0, 4], ['dpo+spo γ=0.5', 0.5, 4]]);
});
