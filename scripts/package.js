#!/usr/bin/env node
// Builds the production bundles and packages the extension as spo-studio-<version>.vsix with @vscode/vsce, offline
// (--no-dependencies: everything the extension needs is bundled in dist/; .vscodeignore keeps the rest out).
// Prints the .vsix size and file count. usage: node scripts/package.js [--out FILE.vsix]
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${result.status}`);
}

/** Entry names of a zip file, read from its central directory (a .vsix is a zip). */
function zipEntries(file) {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(offset + 28);
    const extraLength = buf.readUInt16LE(offset + 30);
    const commentLength = buf.readUInt16LE(offset + 32);
    names.push(buf.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

function packageExtension(outFile) {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.resolve(ROOT, outFile || `spo-studio-${version}.vsix`);
  // A production build writes no source maps; drop the stale development ones so dist/ matches the bundles.
  const dist = path.join(ROOT, 'dist');
  if (fs.existsSync(dist)) {
    for (const f of fs.readdirSync(dist, { recursive: true })) if (String(f).endsWith('.map')) fs.rmSync(path.join(dist, String(f)));
  }
  run(process.execPath, [path.join(ROOT, 'scripts', 'build.js'), '--production']);
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  run(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix]);
  const entries = zipEntries(vsix).filter((n) => n.startsWith('extension/'));
  for (const needed of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/trainer.js', 'extension/LICENSE.txt']) {
    if (!entries.includes(needed) && !(needed.endsWith('LICENSE.txt') && entries.includes('extension/LICENSE'))) {
      throw new Error(`${path.basename(vsix)} lacks ${needed}`);
    }
  }
  const leaked = entries.filter((n) => /^extension\/(node_modules|src|out|test)\//.test(n));
  if (leaked.length) throw new Error(`${path.basename(vsix)} contains files that should be ignored: ${leaked.slice(0, 5).join(', ')}`);
  const size = fs.statSync(vsix).size;
  console.log(`[package] ${path.relative(process.cwd(), vsix)}: ${(size / 1024 / 1024).toFixed(2)} MiB, ${entries.length} files `
    + `(${entries.filter((n) => n.endsWith('.wasm')).length} .wasm)`);
  return vsix;
}

if (require.main === module) {
  const i = process.argv.indexOf('--out');
  try { packageExtension(i > 0 ? process.argv[i + 1] : undefined); } catch (e) { console.error(`[package] ${e.message}`); process.exitCode = 1; }
}

module.exports = { packageExtension, zipEntries };
