#!/usr/bin/env node
// `npm run setup:torch`: the torch engine's project environment, so no system Python is touched.
// Creates the venv $SPO_TORCH_ENV (default ~/.cache/spo-studio/torch-env) with python3 (or $SPO_PYTHON),
// then installs `-e python[peft,gguf,deepspeed,test]` constrained to the tested versions (python/requirements-torch.txt).
// Idempotent: a stamp in the env records what was installed from where; a second run with nothing
// changed does nothing. No npm_config_* variable reaches pip (npm sets dozens; some mean things to pip).
//   node scripts/setup-torch.js [--if-missing]   (--if-missing: only when the env does not exist yet; npm test uses it)
const { spawnSync } = require('child_process');
const { cleanInstallEnv } = require('./clean-env');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const PYTHON_DIR = path.join(REPO, 'python');
const CONSTRAINTS = path.join(PYTHON_DIR, 'requirements-torch.txt');
const STAMP = '.spo-setup.json';

function envDir() {
  const v = process.env.SPO_TORCH_ENV;
  return v && v.trim() ? path.resolve(v) : path.join(os.homedir(), '.cache', 'spo-studio', 'torch-env');
}
function envPython(dir) {
  return process.platform === 'win32' ? path.join(dir, 'Scripts', 'python.exe') : path.join(dir, 'bin', 'python');
}
function cleanEnv() {
  // The one environment of every nested install (scripts/clean-env.js: no npm config, npm's PATH entries), minus
  // PYTHONPATH so the venv sees only itself.
  const env = cleanInstallEnv();
  delete env.PYTHONPATH;
  env.PIP_DISABLE_PIP_VERSION_CHECK = '1';
  return env;
}
function run(cmd, args, what) {
  console.log(`[setup:torch] ${what}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: cleanEnv() });
  if (r.error) throw new Error(`${what}: cannot run ${cmd} (${r.error.message})`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status})`);
}
/** What the env was installed from: the engine's folder and the hash of its dependency files. */
function wanted() {
  const hash = crypto.createHash('sha256');
  for (const f of [path.join(PYTHON_DIR, 'pyproject.toml'), CONSTRAINTS]) hash.update(fs.readFileSync(f));
  return { source: PYTHON_DIR, hash: hash.digest('hex') };
}
function importsWork(python) {
  const r = spawnSync(python, ['-c', 'import spo_torch, torch, trl, transformers, accelerate; print(spo_torch.__file__)'], { env: cleanEnv(), encoding: 'utf8' });
  return r.status === 0 && path.resolve(r.stdout.trim()).startsWith(PYTHON_DIR + path.sep);
}

function main() {
  const dir = envDir();
  const python = envPython(dir);
  if (process.argv.includes('--if-missing') && fs.existsSync(python)) {
    console.log(`[setup:torch] ${dir} exists (npm run setup:torch updates it)`);
    return;
  }
  if (!fs.existsSync(path.join(PYTHON_DIR, 'pyproject.toml'))) throw new Error(`${PYTHON_DIR}/pyproject.toml is missing: is this a full checkout?`);
  const want = wanted();
  const stampFile = path.join(dir, STAMP);
  if (fs.existsSync(python) && fs.existsSync(stampFile)) {
    const have = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    if (have.source === want.source && have.hash === want.hash && importsWork(python)) {
      console.log(`[setup:torch] ${dir} is up to date (${python})`);
      return;
    }
  }
  if (!fs.existsSync(python)) {
    const base = process.env.SPO_PYTHON || (process.platform === 'win32' ? 'python' : 'python3');
    const v = spawnSync(base, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { env: cleanEnv(), encoding: 'utf8' });
    if (v.status !== 0) throw new Error(`no ${base} found to create the environment (install Python 3.10+, or set SPO_PYTHON)`);
    const [major, minor] = v.stdout.trim().split('.').map(Number);
    if (major < 3 || (major === 3 && minor < 10)) throw new Error(`${base} is Python ${v.stdout.trim()}; the torch engine needs 3.10+ (set SPO_PYTHON)`);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      run(base, ['-m', 'venv', dir], 'create the environment');
    } catch (err) {
      throw new Error(`${err.message}; on Debian/Ubuntu: sudo apt-get install python3-venv`);
    }
  }
  run(python, ['-m', 'pip', 'install', '-c', CONSTRAINTS, '-e', `${PYTHON_DIR}[peft,gguf,deepspeed,test]`], 'install the engine');
  if (!importsWork(python)) throw new Error(`the engine does not import from ${python} after the install`);
  fs.writeFileSync(stampFile, JSON.stringify({ ...want, time: new Date().toISOString() }, null, 2) + '\n');
  console.log(`[setup:torch] ready: ${python} (spo doctor shows the details)`);
}

try {
  main();
} catch (err) {
  console.error(`[setup:torch] ${err.message}`);
  process.exit(1);
}
