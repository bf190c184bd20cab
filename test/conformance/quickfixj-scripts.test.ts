/**
 * `SessionBehaviour=quickfixj` end to end: fixover started from a settings file with the
 * acceptance application (as `fixover conformance --settings` starts it), answering the project's
 * own scripts in test/fixtures/quickfixj as QuickFIX/J does: the tag in a FIX 4.0 reject text and
 * the Logout reason, the Logout for a message without MsgSeqNum, the refused Logon with its reason,
 * the empty repeating group left out of the echo. The same scripts fail under QuickFIX C++'s
 * behaviour (checked below).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformance } from '../../src/cli/conformance.js';

const here = fileURLToPath(new URL('../fixtures/quickfixj/', import.meta.url));
const fields = fileURLToPath(new URL('../../../shared/conformance/quickfix/fields.fmt', import.meta.url));
const skip = existsSync(fields) ? false : `field formats not found at ${fields}`;
const scripts = [`${here}fix40`, `${here}fix44`];

test('SessionBehaviour=quickfixj: the QuickFIX/J answers of the scripts in test/fixtures/quickfixj', { skip, timeout: 60_000 }, async () => {
  const lines: string[] = [];
  const results = await conformance(scripts, { settings: `${here}quickfixj.cfg`, fields, host: '127.0.0.1', mode: 'strict' }, (l) => lines.push(l));
  assert.equal(results.length, 4);
  assert.deepEqual(results.filter((r) => !r.passed).map((r) => `${r.file}:${r.line}: ${r.problem}`), []);
});

test('the same scripts fail under QuickFIX C++ behaviour (they check what the profile changes)', { skip, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-qfj-'));
  try {
    const cfg = join(dir, 'quickfix.cfg');
    writeFileSync(cfg, readFileSync(`${here}quickfixj.cfg`, 'latin1').replace(/^SessionBehaviour=quickfixj$/m, 'SessionBehaviour=quickfix'));
    const results = await conformance(scripts, { settings: cfg, fields, host: '127.0.0.1', mode: 'strict' }, () => undefined);
    assert.deepEqual(results.filter((r) => r.passed).map((r) => r.file), []);
    assert.equal(results.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
