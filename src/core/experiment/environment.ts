// What ran the experiment (recorded in results.json): backend, versions, machine, date.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ExperimentEnvironment } from './types';

/** The version in the nearest package.json above `from` whose name is `name`, or 'unknown'. */
function packageVersion(from: string, name: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // An unreadable package.json on the way up is not ours; keep looking.
      }
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

function tfjsVersion(): string {
  try {
    const file = require.resolve('@tensorflow/tfjs/package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function describeEnvironment(backend: string, backendNote: string, date = new Date()): ExperimentEnvironment {
  const cpus = os.cpus();
  return {
    backend,
    backendNote,
    node: process.version,
    tfjs: tfjsVersion(),
    spoStudio: packageVersion(__dirname, 'spo-studio'),
    platform: `${os.platform()} ${os.arch()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    date: date.toISOString(),
  };
}
