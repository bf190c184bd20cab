/**
 * All 468 QuickFIX acceptance tests against fixover (strict mode), as `npm run conformance` runs
 * them: fixover started in-process from at.cfg with the acceptance application, version folders
 * in parallel. Skipped with a message when ../shared is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { conformance } from '../../src/cli/conformance.js';

const root = fileURLToPath(new URL('../../../shared/conformance/quickfix/', import.meta.url));
const skip = existsSync(root) ? false : `QuickFIX acceptance suite not found at ${root}`;
const FOLDERS = ['fix40', 'fix41', 'fix42', 'fix43', 'fix44', 'fix50', 'fix50sp1', 'fix50sp2', 'validate'];

test('every QuickFIX acceptance test passes', { skip, timeout: 600_000 }, async () => {
  const lines: string[] = [];
  const results = await conformance(
    FOLDERS.map((f) => `${root}server/${f}`),
    { settings: `${root}at.cfg`, fields: `${root}fields.fmt`, host: '127.0.0.1', mode: 'strict' },
    (l) => lines.push(l),
  );
  const failed = results.filter((r) => !r.passed);
  assert.equal(results.length, 468, 'the suite has 468 tests');
  assert.deepEqual(failed.map((r) => `${r.file}:${r.line}: ${r.problem}`), []);
  assert.equal(lines.at(-1), '468 passed, 0 failed');
});
