// The tiny SPO run `npm start` trains on the demo data in the background: `spo train` as a child process in its own
// process group, its progress echoed as `[train]` lines, a summary of what it learned and `spo degrees` at the end.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const SPO = path.join(__dirname, '..', '..', 'bin', 'spo.js');

// Sized for ~1–2 minutes on 2 busy cores (~20 s tokenizer + SFT, ~1 s per step) with reward accuracy near 1 well
// before the end on the demo data; eval every 15 steps gives the eval curves four points.
const DEMO_SETTINGS = {
  steps: 60,
  set: { tiny_d_model: 64, tiny_n_heads: 4, tiny_n_layers: 2, tiny_sft_steps: 60, eval_steps: 15, save_steps: 60 },
};
// --check: the smallest run that still writes every file the curves panel and `spo degrees` read (~20 s).
const CHECK_SETTINGS = {
  steps: 4,
  set: { tiny_d_model: 32, tiny_n_heads: 2, tiny_n_layers: 1, tiny_vocab_size: 600, tiny_sft_steps: 10, eval_steps: 4, eval_max_pairs: 32 },
};
// Interactive runs echo every info/eval line but only every 10th step line, so the VS Code URL stays in view.
const STEP_ECHO_EVERY = 10;

/** Run folder names sort by time (the curves panel picks the newest name first). */
function demoRunName(now = new Date()) {
  return `demo-${now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-')}`;
}

function trainArgs(dataFile, runDir, check) {
  const settings = check ? CHECK_SETTINGS : DEMO_SETTINGS;
  const args = [SPO, 'train', '--data', dataFile, '--preset', 'tiny', '--max-steps', String(settings.steps), '--out', runDir];
  for (const [key, value] of Object.entries(settings.set)) args.push('--set', `${key}=${value}`);
  return args;
}

function echoLine(line, check, log) {
  const step = /^step (\d+) loss=/.exec(line);
  if (step && !check && Number(step[1]) % STEP_ECHO_EVERY !== 0) return;
  log(`[train] ${line}`);
}

/**
 * Starts `spo train` on `dataFile` into `<runsDir>/<demo-time>`. Returns { name, runDir, command, finished, stop }:
 * `finished` resolves to the exit code (or signal name); `stop()` asks for a graceful stop (SIGTERM, as the trainer
 * checkpoints on it) and kills the process group if it has not exited within `graceMs`.
 */
function startDemoRun({ dataFile, runsDir, check = false, log = console.log }) {
  const name = demoRunName();
  const runDir = path.join(runsDir, name);
  fs.mkdirSync(runsDir, { recursive: true });
  const args = trainArgs(dataFile, runDir, check);
  // detached: its own process group, so a Ctrl-C in the terminal reaches only start.js, which decides how to stop it.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let pending = '';
  const onData = (chunk) => {
    pending += chunk.toString('utf8');
    const lines = pending.split(/\r?\n|\r/);
    pending = lines.pop();
    for (const line of lines) if (line.trim()) echoLine(line, check, log);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const finished = new Promise((resolve) => child.on('close', (code, signal) => {
    if (pending.trim()) echoLine(pending, check, log);
    resolve(code ?? signal);
  }));
  const killGroup = (signal) => { try { process.kill(-child.pid, signal); } catch { /* already gone */ } };
  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup('SIGTERM');
    const timer = new Promise((r) => setTimeout(r, graceMs, 'timeout'));
    if ((await Promise.race([finished, timer])) === 'timeout') killGroup('SIGKILL');
    await finished;
  };
  const command = `spo ${args.slice(1).map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  return { name, runDir, command, finished, stop };
}

/** Reward accuracy of the first and last few training steps and the last eval, from the run's metrics.jsonl. */
function learningSummary(runDir) {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return null;
  const rows = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    try { const e = JSON.parse(line); return e.type === 'metrics' && e.row ? [e.row] : []; } catch { return []; }
  });
  const train = rows.filter((r) => typeof r['rewards/accuracies'] === 'number');
  const evals = rows.filter((r) => typeof r['eval/rewards/accuracies'] === 'number');
  if (!train.length) return null;
  const window = Math.max(1, Math.min(10, Math.floor(train.length / 3)));
  const mean = (rs) => rs.reduce((s, r) => s + r['rewards/accuracies'], 0) / rs.length;
  return {
    steps: train[train.length - 1].step,
    window,
    firstAccuracy: mean(train.slice(0, window)),
    lastAccuracy: mean(train.slice(-window)),
    evalAccuracy: evals.length ? evals[evals.length - 1]['eval/rewards/accuracies'] : null,
  };
}

function describeLearning(summary) {
  if (!summary) return 'no metrics were written';
  const f = (x) => x.toFixed(2);
  const evalPart = summary.evalAccuracy === null ? '' : `, held-out ${f(summary.evalAccuracy)}`;
  return `reward accuracy (share of pairs with chosen scored above rejected; 0.5 = chance) ${f(summary.firstAccuracy)} over the first ${summary.window} steps → `
    + `${f(summary.lastAccuracy)} over the last ${summary.window}${evalPart}`;
}

/** `spo degrees --run DIR --limit N`, captured so it prints as one block. */
function degreesTable(runDir, limit = 10) {
  const result = spawnSync(process.execPath, [SPO, 'degrees', '--run', runDir, '--limit', String(limit)], { encoding: 'utf8' });
  return { ok: result.status === 0, text: `${result.stdout || ''}${result.stderr || ''}`.trimEnd() };
}

module.exports = { startDemoRun, learningSummary, describeLearning, degreesTable, demoRunName };
