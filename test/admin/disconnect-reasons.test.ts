/** The reasons sessions give for ending a connection fall into the fixed labels of fixover_disconnects_total. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyDisconnect } from '../../src/admin/index.js';

test('disconnect reasons the engine gives map to bounded labels', () => {
  const cases: Array<[string, string]> = [
    ['logout', 'logout'],
    ['logout timeout', 'timeout'],
    ['logon timeout', 'timeout'],
    ['heartbeat timeout', 'timeout'],
    ['outside session time', 'schedule'],
    ['session reset', 'schedule'],
    ['session reset by operator', 'operator'],
    ['disconnected by operator', 'operator'],
    ['node draining', 'operator'],
    ['acceptor stopped', 'operator'],
    ['closed', 'operator'],
    ['connection closed', 'peer_closed'],
    ['peer is not reading: more than 16777216 bytes queued', 'slow_reader'],
    ['fault: boom', 'fault'],
    ['invalid logon', 'rejected'],
    ['MsgSeqNum too low, expecting 5 but received 1', 'rejected'],
    ['error: Incorrect BeginString', 'rejected'],
    ['inbound message rate above 10 messages per second', 'rejected'],
    ['something new', 'other'],
  ];
  for (const [reason, label] of cases) assert.equal(classifyDisconnect(reason), label, reason);
});
