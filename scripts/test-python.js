#!/usr/bin/env node
// `npm run test:python`: the torch engine's pytest suite (python/tests) in the project environment,
// made first by setup:torch when it is missing.
const { spawnSync } = require('child_process');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const setup = spawnSync(process.execPath, [path.join(__dirname, 'setup-torch.js'), '--if-missing'], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
const dir = process.env.SPO_TORCH_ENV && process.env.SPO_TORCH_ENV.trim() ? path.resolve(process.env.SPO_TORCH_ENV) : path.join(os.homedir(), '.cache', 'spo-studio', 'torch-env');
const python = process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
const env = {};
for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
// The checkout's engine first, whatever the environment has installed.
env.PYTHONPATH = [path.join(REPO, 'python'), process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
const r = spawnSync(python, ['-m', 'pytest', '-q', ...process.argv.slice(2)], { stdio: 'inherit', cwd: path.join(REPO, 'python'), env });
process.exit(r.status ?? 1);
