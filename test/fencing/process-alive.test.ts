/**
 * Same-host takeover: a dead owner's process is recognised at once, including a killed process its
 * parent has not reaped yet (a zombie answers signal 0 but will never write again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { FileOwnership } from '../../src/fencing/index.js';
import { processAlive } from '../../src/fencing/file-ownership.js';

const noProc = existsSync('/proc/self/stat') ? undefined : 'needs /proc (Linux)';

/** A zombie: `sh` starts a short child, then becomes `sleep 30` (before the child ends, so `sh` cannot reap it), which never reaps it. */
async function withZombie(fn: (pid: number) => Promise<void>): Promise<void> {
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
    const pid = Number(line.toString().trim());
    const deadline = Date.now() + 5000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await fn(pid);
  } finally {
    parent.kill('SIGKILL');
  }
}

test('a running process is alive, an exited and unreaped one is not', { skip: noProc }, async () => {
  assert.equal(processAlive(process.pid), true);
  await withZombie(async (pid) => {
    assert.equal(process.kill(pid, 0), true, 'the process is a zombie: signal 0 still reaches it');
    assert.equal(processAlive(pid), false);
  });
});

test('a node takes over at once from an owner on this host whose process is a zombie, lease or not', { skip: noProc }, async () => {
  await withZombie(async (pid) => {
    const dir = mkdtempSync(join(tmpdir(), 'fixover-zombie-'));
    const prefix = 'FIX.4.2-EXEC-BANZAI';
    const record = { node: 'a', host: hostname(), pid, epoch: 7, renewedAt: Date.now(), leaseMs: 60_000 };
    writeFileSync(join(dir, `${prefix}.owner`), JSON.stringify(record));
    const b = new FileOwnership({ dir, prefix, node: 'b', leaseMs: 60_000 });
    assert.deepEqual(await b.acquire(), { acquired: true, epoch: 8 });
    // A live owner on this host with a live lease is still respected.
    writeFileSync(join(dir, `${prefix}.owner`), JSON.stringify({ ...record, pid: process.pid, node: 'c', epoch: 9 }));
    const d = new FileOwnership({ dir, prefix, node: 'd', leaseMs: 60_000 });
    const r = await d.acquire();
    assert.equal(r.acquired, false);
  });
});
