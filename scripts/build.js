// Bundles the extension, the trainer process, the CLI and the webviews with esbuild (after tsc type-checks).
// The wasm backend reads its .wasm files from disk, so they are copied beside the bundles (setWasmPaths).
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');

// Native TF.js builds are optional and loaded at run time only if installed; never bundle them.
const nodeExternals = ['vscode', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

function entries() {
  const list = [
    { in: 'src/extension/extension.ts', out: 'extension', platform: 'node' },
    { in: 'src/trainer/main.ts', out: 'trainer', platform: 'node' },
    { in: 'src/cli/main.ts', out: 'cli', platform: 'node' },
  ];
  const webviewRoot = path.join(root, 'webview');
  if (fs.existsSync(webviewRoot)) {
    for (const name of fs.readdirSync(webviewRoot)) {
      const main = path.join('webview', name, 'main.ts');
      if (fs.existsSync(path.join(root, main))) list.push({ in: main, out: `webview/${name}`, platform: 'browser' });
    }
  }
  return list.filter((e) => fs.existsSync(path.join(root, e.in)));
}

async function build() {
  fs.mkdirSync(dist, { recursive: true });
  for (const entry of entries()) {
    await esbuild.build({
      entryPoints: { [entry.out]: path.join(root, entry.in) },
      outdir: dist,
      bundle: true,
      platform: entry.platform,
      format: entry.platform === 'node' ? 'cjs' : 'iife',
      target: entry.platform === 'node' ? 'node20' : 'es2022',
      external: entry.platform === 'node' ? nodeExternals : [],
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
      loader: { '.css': 'text' },
    });
  }
  const wasmDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  for (const f of fs.readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) {
    fs.copyFileSync(path.join(wasmDir, f), path.join(dist, f));
  }
}

build().catch((err) => { console.error(err); process.exit(1); });
