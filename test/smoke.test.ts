import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fixover from '../src/index.js';

test('the package root exports the public API of the modules a library user needs', () => {
  assert.match(fixover.VERSION, /^\d+\.\d+\.\d+$/);
  for (const name of ['Message', 'MessageView', 'loadDictionary', 'DataDictionary', 'MessageValidator', 'Schedule', 'MemoryStore', 'FileStore', 'PostgresStore', 'FileLog', 'loadSettings', 'settingsFromObject', 'Engine', 'Acceptor', 'Initiator', 'Session', 'SessionID', 'executorApplication', 'AdminServer', 'ClusterNode', 'CredentialFile', 'LogonGuard']) {
    assert.equal(typeof (fixover as Record<string, unknown>)[name], 'function', name);
  }
});
