// The child-process core shared by the trainer and CLI clients: output lines reach listeners and the tail,
// exits (including a failed spawn) resolve once and never reject, and pending timers end with the process.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn } from 'child_process';
import { ChildProcessClient, OutputLine } from '../../../src/core/runs/childProcessClient';

const node = (script: string) => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('ChildProcessClient', () => {
  it('reads stdout and stderr line by line into listeners and a bounded tail', async () => {
    const client = new ChildProcessClient(node("console.log('a\\nb'); console.error('c'); process.stdout.write('d')"), { tailLines: 3 });
    const seen: OutputLine[] = [];
    client.output.on((l) => seen.push(l));
    const exit = await client.exited;
    assert.equal(exit.code, 0);
    assert.deepEqual(seen.filter((l) => l.stream === 'stdout').map((l) => l.line), ['a', 'b', 'd']);
    assert.deepEqual(seen.filter((l) => l.stream === 'stderr').map((l) => l.line), ['c']);
    assert.equal(exit.lastLines.length, 3);
    assert.equal(client.running, false);
  });

  it('a spawn failure is an exit with code null and the reason in the tail', async () => {
    const client = new ChildProcessClient(spawn('/no/such/binary-spo', [], { stdio: ['ignore', 'pipe', 'pipe'] }));
    const exit = await client.exited;
    assert.equal(exit.code, null);
    assert.ok(exit.lastLines.some((l) => l.startsWith('[spawn] ')), exit.lastLines.join('\n'));
  });

  it('timers set with after() do not fire once the process has exited; beforeExit runs once before the exit', async () => {
    let fired = false;
    let before = 0;
    const client = new ChildProcessClient(node("console.log('ready'); setInterval(() => {}, 1000)"), { beforeExit: () => { before += 1; } });
    await new Promise<void>((resolve) => client.output.on(({ line }) => { if (line === 'ready') resolve(); }));
    client.after(800, () => { fired = true; }); // pending when the process ends
    client.child.kill('SIGKILL');
    const exit = await client.exited;
    assert.equal(exit.signal, 'SIGKILL');
    client.after(10, () => { fired = true; }); // after the exit: never scheduled
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(fired, false);
    assert.equal(before, 1);
  });
});
