/**
 * `npm run bench`: the codec benchmark, then the session benchmark, with the same arguments
 * (`npm run bench -- --quick` runs both short).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
for (const file of ['codec.bench.ts', 'session.bench.ts']) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.exitCode = r.status ?? 1;
    break;
  }
}
