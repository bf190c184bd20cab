/**
 * The public surface is reviewed: the API report of src/index.ts (scripts/api-report.ts) equals
 * the checked-in docs/api-report.txt, so any change to an exported name or type must come with
 * the regenerated report (`npm run api:report`). Internals stay out of the package root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apiReport } from '../../scripts/api-report.js';
import * as fixover from '../../src/index.js';

test('the API report matches docs/api-report.txt (run npm run api:report after changing the public surface)', { timeout: 60_000 }, () => {
  const checkedIn = readFileSync(new URL('../../docs/api-report.txt', import.meta.url), 'utf8');
  const current = apiReport();
  if (current !== checkedIn) {
    const a = new Set(checkedIn.split('\n'));
    const b = new Set(current.split('\n'));
    const removed = [...a].filter((l) => !b.has(l)).slice(0, 20);
    const added = [...b].filter((l) => !a.has(l)).slice(0, 20);
    assert.fail(`the public surface changed: run npm run api:report and review docs/api-report.txt\nremoved:\n${removed.join('\n')}\nadded:\n${added.join('\n')}`);
  }
});

test('internals are not exported from the package root', () => {
  for (const name of ['SessionCore', 'applyStoreAction', 'FailoverPolicy', 'seededRandom', 'formatSeqNums', 'integerText', 'InboundRate', 'PendingLogons', 'resolveOptions', 'loadPg', 'FailureLimiter']) {
    assert.ok(!(name in fixover), `${name} is internal`);
  }
  for (const name of ['Engine', 'Message', 'Session', 'SessionID', 'FixoverError', 'settingsFromObject', 'loadSettings', 'FileStore', 'MemoryStore']) assert.ok(name in fixover, `${name} is public`);
});
