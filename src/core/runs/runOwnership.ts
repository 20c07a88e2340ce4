// Whether a run folder is this machine's own: a repository can ship `.spo/runs/x` with crafted files, so a
// run is resumed without asking only when its trainer recorded this host (the `started` event) and its
// files belong to this user. Anything else needs a confirmation that shows the folder's real path.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RUN_FILES } from '../train/runFolder';
import { READ_LIMITS, readRegularFileSync, realPathOf } from '../fs/safeFiles';

export interface RunOwnership {
  own: boolean;
  /** Why it is not (empty when own). */
  reasons: string[];
  /** The folder with every link resolved: what a confirmation must show. */
  realPath: string;
}

/** Hosts recorded by the run's `started` events (a resumed run has several). */
function startedHosts(metricsFile: string): string[] {
  let text: string;
  try {
    text = readRegularFileSync(metricsFile, READ_LIMITS.jsonl).toString('utf8');
  } catch {
    return [];
  }
  const hosts: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"started"')) continue;
    try {
      const e = JSON.parse(line) as { type?: unknown; host?: unknown };
      if (e.type === 'started' && typeof e.host === 'string') hosts.push(e.host);
    } catch {
      // a torn line: not a record
    }
  }
  return hosts;
}

export function runOwnership(runDir: string, host = os.hostname(), uid = process.getuid?.()): RunOwnership {
  const reasons: string[] = [];
  const hosts = startedHosts(path.join(runDir, RUN_FILES.metrics));
  if (hosts.length === 0) reasons.push('no trainer on this machine recorded starting it (no host in metrics.jsonl)');
  else if (hosts[hosts.length - 1] !== host) reasons.push(`it was last started on host "${hosts[hosts.length - 1]}", not this one ("${host}")`);
  if (uid !== undefined) {
    for (const name of ['', RUN_FILES.config, RUN_FILES.metrics]) {
      try {
        const st = fs.lstatSync(path.join(runDir, name));
        if (st.uid !== uid) {
          reasons.push(`${name || 'the folder'} belongs to user id ${st.uid}, not ${uid}`);
          break;
        }
      } catch {
        // missing files are judged by the resume itself
      }
    }
  }
  return { own: reasons.length === 0, reasons, realPath: realPathOf(runDir) };
}
