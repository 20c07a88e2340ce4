// Whether a run folder is this machine's own: a repository can ship `.spo/runs/x` with crafted files, so a
// run is resumed without asking only when its trainer recorded this host (the `started` event) and its
// files belong to this user. Anything else needs a confirmation that shows the folder's real path.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RUN_FILES } from '../train/runFolder';
import { READ_LIMITS, readRegularFile, readRegularFileSync, realPathOf } from '../fs/safeFiles';

export interface RunOwnership {
  own: boolean;
  /** Why it is not (empty when own). */
  reasons: string[];
  /** The folder with every link resolved: what a confirmation must show. */
  realPath: string;
}

/** Hosts recorded by the `started` events of a metrics.jsonl text (a resumed run has several). */
function startedHosts(text: string): string[] {
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

/** What the files tell: the hosts that started the run, and the owner uid of the folder, config.json, metrics.jsonl (null: missing). */
interface OwnershipFacts {
  hosts: string[];
  owners: Array<{ name: string; uid: number | null }>;
}

const OWNED_FILES = ['', RUN_FILES.config, RUN_FILES.metrics];

function judge(runDir: string, facts: OwnershipFacts, host: string, uid: number | undefined): RunOwnership {
  const reasons: string[] = [];
  const { hosts } = facts;
  if (hosts.length === 0) reasons.push('no trainer on this machine recorded starting it (no host in metrics.jsonl)');
  else if (hosts[hosts.length - 1] !== host) reasons.push(`it was last started on host "${hosts[hosts.length - 1]}", not this one ("${host}")`);
  if (uid !== undefined) {
    // Missing files are judged by the resume itself.
    const foreign = facts.owners.find((o) => o.uid !== null && o.uid !== uid);
    if (foreign) reasons.push(`${foreign.name || 'the folder'} belongs to user id ${foreign.uid}, not ${uid}`);
  }
  return { own: reasons.length === 0, reasons, realPath: realPathOf(runDir) };
}

export function runOwnership(runDir: string, host = os.hostname(), uid = process.getuid?.()): RunOwnership {
  let text = '';
  try {
    text = readRegularFileSync(path.join(runDir, RUN_FILES.metrics), READ_LIMITS.jsonl).toString('utf8');
  } catch {
    // no readable metrics: no host
  }
  const owners = OWNED_FILES.map((name) => {
    try {
      return { name, uid: fs.lstatSync(path.join(runDir, name)).uid };
    } catch {
      return { name, uid: null };
    }
  });
  return judge(runDir, { hosts: startedHosts(text), owners }, host, uid);
}

/** runOwnership for the extension host (Resume Training): metrics.jsonl is read asynchronously. */
export async function runOwnershipAsync(runDir: string, host = os.hostname(), uid = process.getuid?.()): Promise<RunOwnership> {
  const text = await readRegularFile(path.join(runDir, RUN_FILES.metrics), READ_LIMITS.jsonl).then((b) => b.toString('utf8'), () => '');
  const owners = await Promise.all(OWNED_FILES.map((name) => fs.promises.lstat(path.join(runDir, name))
    .then((st) => ({ name, uid: st.uid }), () => ({ name, uid: null }))));
  return judge(runDir, { hosts: startedHosts(text), owners }, host, uid);
}
