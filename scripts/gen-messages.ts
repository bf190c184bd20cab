/**
 * Regenerates the typed messages shipped in src/messages/<version>/ from the shipped dictionaries
 * (`npm run gen:messages`). test/messages/generated.test.ts checks that the checked-in files are
 * exactly what this writes.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHIPPED_MESSAGE_VERSIONS, SHIPPED_RUNTIME_MODULE, writeMessages } from '../src/messages/generate.js';

const root = join(fileURLToPath(import.meta.url), '..', '..');
for (const [dict, folder] of SHIPPED_MESSAGE_VERSIONS) {
  const written = writeMessages(dict, join(root, 'src', 'messages', folder), { runtimeModule: SHIPPED_RUNTIME_MODULE });
  console.log(`${dict}: ${written.map((p) => p.slice(root.length + 1)).join(', ')}`);
}
