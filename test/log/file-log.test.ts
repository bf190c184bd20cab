import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileLog, FileLogFactory } from '../../src/log/index.js';
import { HEARTBEAT, NOW, ORDER, SESSION, tempDir } from './helpers.js';

const read = (dir: string, name: string) => readFile(join(dir, name), 'latin1');

test('writes QuickFIX file names and line format; heartbeats skipped by default', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const log = await new FileLogFactory({ path: join(dir, 'logs'), now: () => NOW }).create(SESSION);
  log.onIncoming(ORDER);
  log.onOutgoing(HEARTBEAT);
  log.onOutgoing(ORDER.toString('latin1'));
  log.onEvent('Initiated logon request');
  await log.flush();
  const messages = await read(join(dir, 'logs'), 'FIX.4.4-ME-YOU.messages.current.log');
  const line = `20240102-03:04:05.678 : ${ORDER.toString('latin1')}\n`;
  assert.equal(messages, line + line);
  assert.equal(await read(join(dir, 'logs'), 'FIX.4.4-ME-YOU.event.current.log'), '20240102-03:04:05.678 : Initiated logon request\n');
  await log.close();
});

test('FileLogHeartbeats=Y logs heartbeats; appends to existing files; writes are buffered', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await writeFile(join(dir, 'GLOBAL.messages.current.log'), 'earlier\n');
  const log = await FileLog.open({ path: dir, logHeartbeats: true, now: () => NOW, timestampPrecision: 0 }, 'GLOBAL');
  log.onIncoming(HEARTBEAT);
  assert.equal(readFileSync(join(dir, 'GLOBAL.messages.current.log'), 'latin1'), 'earlier\n', 'nothing written synchronously');
  await new Promise((r) => setImmediate(r));
  await log.flush();
  assert.equal(await read(dir, 'GLOBAL.messages.current.log'), `earlier\n20240102-03:04:05 : ${HEARTBEAT.toString('latin1')}\n`);
  await log.close();
});

test('many lines keep their order', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const log = await FileLog.open({ path: dir }, 'P');
  for (let i = 0; i < 5000; i++) {
    log.onEvent(`event ${i}`);
    if (i % 700 === 0) await new Promise((r) => setImmediate(r));
  }
  await log.close();
  const lines = (await read(dir, 'P.event.current.log')).trimEnd().split('\n');
  assert.equal(lines.length, 5000);
  lines.forEach((l, i) => assert.match(l, new RegExp(`^\\d{8}-\\d{2}:\\d{2}:\\d{2}\\.\\d{3} : event ${i}$`)));
});

test('clear empties the files; backup renames them to the first free backup number', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const backups = join(dir, 'old');
  const log = await FileLog.open({ path: dir, backupPath: backups, now: () => NOW }, 'S');
  log.onEvent('one');
  await log.flush();
  await log.clear();
  assert.equal(await read(dir, 'S.event.current.log'), '');
  log.onEvent('two');
  log.onIncoming(ORDER);
  await log.backup();
  log.onEvent('three');
  await log.backup();
  log.onEvent('four');
  await log.close();
  assert.deepEqual((await readdir(backups)).sort(), ['S.event.backup.1.log', 'S.event.backup.2.log', 'S.messages.backup.1.log', 'S.messages.backup.2.log']);
  assert.equal(await read(backups, 'S.event.backup.1.log'), '20240102-03:04:05.678 : two\n');
  assert.equal(await read(backups, 'S.messages.backup.1.log'), `20240102-03:04:05.678 : ${ORDER.toString('latin1')}\n`);
  assert.equal(await read(backups, 'S.event.backup.2.log'), '20240102-03:04:05.678 : three\n');
  assert.equal(await read(backups, 'S.messages.backup.2.log'), '');
  assert.equal(await read(dir, 'S.event.current.log'), '20240102-03:04:05.678 : four\n');
});

test('background write failures go to onError instead of crashing; flush rejects', { skip: process.platform !== 'linux' }, async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await symlink('/dev/full', join(dir, 'F.event.current.log'));
  const errors: Error[] = [];
  const log = await FileLog.open({ path: dir, onError: (e) => errors.push(e) }, 'F');
  log.onEvent('lost');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /ENOSPC/);
  log.onEvent('lost again');
  await assert.rejects(log.flush(), /ENOSPC/);
  await log.close();
  log.onEvent('after close: ignored');
});

test('a message that is a view into a reused buffer is logged as it was when logged', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const log = await FileLog.open({ path: dir, now: () => NOW }, 'GLOBAL');
  const framerBuffer = Buffer.from(ORDER);
  log.onIncoming(framerBuffer.subarray(0, ORDER.length));
  framerBuffer.fill(0x58); // the framer reuses its buffer for the next bytes before the line is written
  await log.flush();
  assert.equal(await read(dir, 'GLOBAL.messages.current.log'), `20240102-03:04:05.678 : ${ORDER.toString('latin1')}\n`);
  await log.close();
});
