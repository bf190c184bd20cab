import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fixover from '../src/index.js';

test('the package root exports the public API of every module', () => {
  assert.match(fixover.VERSION, /^\d+\.\d+\.\d+$/);
  for (const name of ['Parser', 'Framer', 'Encoder', 'Message', 'loadDictionary', 'MessageValidator', 'Schedule', 'MemoryStore', 'FileStore', 'FileLog', 'loadSettings', 'Engine', 'Acceptor', 'Initiator', 'Session', 'OrderClient', 'executorApplication']) {
    assert.equal(typeof (fixover as Record<string, unknown>)[name], 'function', name);
  }
});
