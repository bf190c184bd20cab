/**
 * Store fault with real processes: the disk under a file store fills up while a client streams
 * orders through a `fixover executor`. A real full file system, not a simulated error: the
 * executor runs in a private mount namespace (`unshare`) with a small tmpfs over its store
 * directory, and the test fills that tmpfs (through /proc/<pid>/root) with a filler file, then
 * deletes it. (chmod cannot make a file unwritable for root, which CI runs as.)
 *
 * The session stops safely (the connection is dropped with the reason in the session's log;
 * nothing is sent that was not stored; the store stays whole), the executor keeps running, and the
 * session recovers by itself once there is space again: every order filled once, no unflagged
 * duplicate, the executor's numbers never going back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Cluster, assertSequenceContinues, checkStore, freePort, incomingMessages, sleep, waitUntil } from './harness.js';

const PREFIX = 'FIX.4.2-EXEC-BANZAI';

/** Why a private mount namespace with a tmpfs cannot be had here, or undefined when it can. */
function namespaceUnavailable(): string | undefined {
  const dir = '/tmp';
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs ${dir} && echo ok`], { encoding: 'utf8' });
  if (r.error) return `unshare not available: ${r.error.message}`;
  if (r.stdout.trim() !== 'ok') return `cannot mount a tmpfs in a private mount namespace (unshare -rm): ${r.stderr.trim() || `exit ${r.status}`}`;
  return undefined;
}

const skip = namespaceUnavailable();

/** Writes `file` until the file system is full (the executor keeps writing meanwhile). */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [256 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size);
      for (;;) {
        try {
          if (writeSync(fd, chunk) < size) break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw e;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

test('the disk under the file store fills up: the session stops safely and recovers without a process restart', { skip, timeout: 90_000 }, async () => {
  const cluster = new Cluster();
  const port = await freePort();
  const ORDERS = 2000;
  const logDir = join(cluster.dir, 'node-log');
  mkdirSync(cluster.storeDir, { recursive: true });
  try {
    // A 2 MiB tmpfs over the store directory, seen by the executor only.
    const wrapper = ['unshare', '-rm', 'sh', '-c', 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"', cluster.storeDir];
    const node = await cluster.startNode('A', port, { wrapper, settings: `FileLogPath=${logDir}\n` });
    const pid = node.proc.child.pid!;
    // The store directory as the executor sees it (its tmpfs), from outside its namespace.
    const store = `/proc/${pid}/root${cluster.storeDir}`;
    const body = join(store, `${PREFIX}.body`);
    const client = cluster.startClient([port], ['--orders', String(ORDERS), '--rate', '500', '--settle', '20000']);
    await waitUntil('A storing fills', () => existsSync(body) && statSync(body).size >= 60_000, 30_000);

    // Fill the file system: whatever the executor writes next fails with ENOSPC.
    const filler = join(store, 'filler');
    fill(filler);
    const events = join(logDir, `${PREFIX}.event.current.log`);
    await waitUntil('the session stopping on the full disk', () => existsSync(events) && /ENOSPC|no space left/i.test(readFileSync(events, 'utf8')), 15_000);
    // Let the client come back and be turned away a few times while the disk is full.
    await sleep(2500);
    assert.equal(node.proc.child.exitCode, null, 'the executor keeps running while the disk is full');
    const stalled = statSync(body).size;
    const logonsBefore = (readFileSync(events, 'utf8').match(/^.* : Logon$/gm) ?? []).length;

    unlinkSync(filler);
    // Back by itself: the next Logon is accepted by the same process and the stream goes on.
    await waitUntil('the session served again', () => (readFileSync(events, 'utf8').match(/^.* : Logon$/gm) ?? []).length > logonsBefore && statSync(body).size > stalled, 20_000);
    const [code] = await once(client.proc.child, 'exit');
    const report = cluster.readReport(client.report);
    assert.equal(code, 0, client.proc.output().slice(-3000));
    assert.equal(report.filled, ORDERS, 'every order filled');
    assert.equal(report.missing, 0);
    assert.equal(report.duplicates.unflagged, 0, 'no unflagged duplicate');
    assert.ok(report.logons.length >= 2, 'logged on again after the fault');
    assert.equal(node.proc.child.exitCode, null, 'the same executor process served the session throughout');
    assertSequenceContinues(incomingMessages(cluster.dir));

    // The store (copied out while the namespace still exists) is whole and agrees with the client's.
    node.proc.child.kill('SIGSTOP');
    const copy = join(cluster.dir, 'store-copy');
    cpSync(store, copy, { recursive: true });
    node.proc.child.kill('SIGKILL');
    await once(node.proc.child, 'exit');
    const exec = await checkStore(copy, PREFIX);
    const cli = await checkStore(join(cluster.dir, 'client-store'), 'FIX.4.2-BANZAI-EXEC');
    assert.equal(exec.fills.size, ORDERS, 'every fill stored once');
    assert.deepEqual([...exec.fills.values()].filter((n) => n > 1), [], 'no order filled twice');
    assert.equal(exec.nextSender, cli.nextTarget, 'no gap left');
    assert.equal(exec.nextTarget, cli.nextSender);
  } catch (e) {
    const outputs = cluster.nodes.map((n) => `--- node ${n.name}\n${n.proc.output().slice(-3000)}`).join('\n');
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${outputs}\n(files in ${cluster.dir})`, { cause: e });
  } finally {
    cluster.killAll();
  }
});
