#!/usr/bin/env node
// The environment every nested install (npm, pip, apt) runs in: the caller's, minus what an outer `npm run` added.
// npm exports its whole resolved config to the scripts it runs (npm_config_user_agent names *its* Node, e.g.
// node/v20, which code-server's postinstall reads; npm_config_prefix, _nodedir, _local_prefix, …), plus
// npm_package_*/npm_lifecycle_* of the outer project, INIT_CWD, NODE, and PATH entries for the outer project's
// node_modules/.bin (every folder up to /) and npm's node-gyp-bin. An inner npm reads npm_config_* as its own config,
// so it would install as if it were the outer one. Stripped here; the user's .npmrc files are re-read by the inner npm.
// Kept: the settings that say how to reach the registry (registry, proxies, CA, cache folder, offline), which a user or CI
// may export on purpose and which the inner install needs just the same.
//
// usage (like env(1)): node scripts/clean-env.js [NAME=VALUE ...] COMMAND [ARG ...]
//   runs COMMAND in the cleaned environment, NAME=VALUE set on top; exits with its status.
const { spawnSync } = require('child_process');
const path = require('path');

const KEPT_NPM_CONFIG = new Set(['registry', 'proxy', 'https_proxy', 'noproxy', 'cafile', 'ca', 'strict_ssl', 'cache', 'offline', 'prefer_offline', 'prefer_online']);

function isKeptNpmConfig(name) {
  const m = /^npm_config_(.+)$/i.exec(name);
  if (!m) return false;
  const key = m[1].toLowerCase();
  return KEPT_NPM_CONFIG.has(key) || /^@[^:]+:registry$/.test(key); // scoped registries (@scope:registry)
}

/** PATH entries npm's run-script prepends: <dir>/node_modules/.bin for each folder up to /, and its node-gyp-bin. */
function isNpmAddedPathEntry(entry) {
  const p = entry.replace(/[\\/]+$/, '').split(path.sep).join('/');
  return p.endsWith('/node_modules/.bin') || p === 'node_modules/.bin' || /\/@npmcli\/run-script\/lib\/node-gyp-bin$/.test(p);
}

/** A copy of `env` without what an outer npm run-script added. */
function cleanInstallEnv(env = process.env) {
  const out = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (/^npm_/i.test(name) && !isKeptNpmConfig(name)) continue; // npm_config_*, npm_package_*, npm_lifecycle_*, npm_execpath, …
    if (name === 'INIT_CWD' || name === 'NODE' || name === 'COLOR') continue; // set by npm for its scripts
    out[name] = value;
  }
  for (const name of Object.keys(out).filter((n) => /^path$/i.test(n))) {
    out[name] = out[name].split(path.delimiter).filter((e) => e && !isNpmAddedPathEntry(e)).join(path.delimiter);
  }
  return out;
}

function main(argv) {
  const overrides = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(argv[i]);
    if (!m) break;
    overrides[m[1]] = m[2];
  }
  // Overrides first, then the cleaning: a PATH="extra:$PATH" from a shell under npm would otherwise bring npm's
  // entries back. An npm_* override survives (it is meant).
  const env = { ...cleanInstallEnv({ ...process.env, ...overrides }), ...Object.fromEntries(Object.entries(overrides).filter(([n]) => /^npm_/i.test(n))) };
  if (i >= argv.length) {
    console.error('usage: node scripts/clean-env.js [NAME=VALUE ...] COMMAND [ARG ...]');
    return 2;
  }
  const result = spawnSync(argv[i], argv.slice(i + 1), { stdio: 'inherit', env });
  if (result.error) {
    console.error(`[clean-env] ${argv[i]}: ${result.error.message}`);
    return 127;
  }
  return result.status ?? 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { cleanInstallEnv, isNpmAddedPathEntry };
