// Builds the throw-away workspace folder an e2e run opens: the real Anthropic HH sample (decompressed from
// ../shared, never copied into the repo) plus the project's demo preference file when it exists.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { REPO_ROOT } = require('./host');

const HH_SAMPLE = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'hh-rlhf', 'harmless-base-test-2000.jsonl.gz');
const DEMO_FILE = path.join(REPO_ROOT, 'examples', 'demo-preferences.jsonl');

function createTestWorkspace(dir) {
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(HH_SAMPLE)) {
    throw new Error(`HH sample not found at ${HH_SAMPLE} (expected ../shared/data/hh-rlhf next to the repository)`);
  }
  fs.writeFileSync(path.join(dir, 'hh-rlhf.jsonl'), zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)));
  if (fs.existsSync(DEMO_FILE)) {
    fs.mkdirSync(path.join(dir, 'examples'), { recursive: true });
    fs.copyFileSync(DEMO_FILE, path.join(dir, 'examples', 'demo-preferences.jsonl'));
  }
  return dir;
}

module.exports = { HH_SAMPLE, createTestWorkspace };
