#!/usr/bin/env node
// The `spo` CLI. Runs the esbuild bundle when present (packaged extension), else the tsc output.
const fs = require('fs');
const path = require('path');
const bundled = path.join(__dirname, '..', 'dist', 'cli.js');
const compiled = path.join(__dirname, '..', 'out', 'src', 'cli', 'main.js');
const entry = fs.existsSync(compiled) ? compiled : bundled;
require(entry).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`spo: ${err && err.stack ? err.stack : String(err)}\n`); process.exitCode = 1; },
);
