/**
 * The package as a user gets it: `npm pack`, installed into a fresh ESM app (without `pg`, an
 * optional peer dependency), type-checked with `strict` and `skipLibCheck: false` (an import of
 * the package and the shipped examples), then the examples compiled and run against each other:
 * the acceptor with its business logic, the initiator, and the failover client skipping a dead
 * address. Needs the build (`npm test` builds first) and the npm registry or cache for the
 * package's dependencies (skipped with a message when neither answers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { freePort } from '../support/free-port.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules/typescript/bin/tsc');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
}

test('the packed package installs into a fresh app, type-checks strictly, and its examples run', { timeout: 240_000 }, async (t) => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is missing: run npm run build first');
  const dir = mkdtempSync(join(tmpdir(), 'fixover-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: root });
  const tgz = join(dir, packed.stdout.trim().split('\n').pop()!);

  const app = join(dir, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","type":"module","private":true}\n');
  try {
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tgz], { cwd: app, timeout: 180_000 });
  } catch (e) {
    const out = String((e as { stderr?: string }).stderr ?? e);
    if (/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network/i.test(out)) return t.skip(`npm install needs the registry or a cache: ${out.slice(0, 200)}`);
    throw e;
  }
  const pkg = join(app, 'node_modules/fixover');

  // What is shipped: the examples, no src/ and no pg; maps carry their sources; no .d.ts names pg or ffi-rs.
  for (const name of ['acceptor.ts', 'initiator.ts', 'failover-client.ts']) assert.ok(existsSync(join(pkg, 'examples', name)), `examples/${name} shipped`);
  assert.ok(!existsSync(join(pkg, 'src')), 'src/ is not shipped');
  assert.ok(!existsSync(join(app, 'node_modules/pg')), 'pg is an optional peer dependency: not installed');
  const files = filesUnder(join(pkg, 'dist'));
  const maps = files.filter((f) => f.endsWith('.js.map'));
  assert.ok(maps.length > 50);
  for (const m of maps) {
    const map = JSON.parse(readFileSync(m, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
    assert.equal(map.sourcesContent?.length, map.sources.length, `${m}: every source is inside the map`);
    assert.ok(map.sourcesContent.every((c) => typeof c === 'string' && c.length > 0), `${m}: sources present`);
  }
  for (const d of files.filter((f) => f.endsWith('.d.ts'))) {
    assert.doesNotMatch(readFileSync(d, 'utf8'), /from ['"](pg|ffi-rs)['"]|import\(['"](pg|ffi-rs)['"]\)/, `${d} imports an optional dependency`);
  }

  // Type-check an import of the package and the examples: strict, skipLibCheck false.
  writeFileSync(join(app, 'main.ts'), 'import * as fixover from "fixover";\nconst names: string[] = Object.keys(fixover);\nconsole.log(names.length);\n');
  const compilerOptions = { strict: true, skipLibCheck: false, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], typeRoots: [join(root, 'node_modules/@types')] };
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, include: ['main.ts', 'node_modules/fixover/examples/**/*.ts'] }));
  const check = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch((e: { stdout: string }) => e);
  assert.equal(check.stdout.trim(), '', 'no type errors');
  // The examples compiled as shipped, next to the app, and run.
  writeFileSync(join(app, 'tsconfig.examples.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, rootDir: 'node_modules/fixover/examples', outDir: 'out' }, include: ['node_modules/fixover/examples/**/*.ts'] }));
  await run(process.execPath, [tsc, '-p', 'tsconfig.examples.json'], { cwd: app });
  // The package loads without pg installed.
  const loaded = await run(process.execPath, ['--input-type=module', '-e', "const f = await import('fixover'); console.log(typeof f.Engine.fromSettingsFile)"], { cwd: app });
  assert.equal(loaded.stdout.trim(), 'function');

  const env = { ...process.env, FIXOVER_EXAMPLE_DATA: join(dir, 'data') };
  const acceptor = spawn(process.execPath, ['out/acceptor.js', '0'], { cwd: app, env });
  t.after(() => acceptor.kill('SIGKILL'));
  let acceptorOut = '';
  const port = await new Promise<number>((resolve, reject) => {
    acceptor.stdout.on('data', (b: Buffer) => {
      acceptorOut += b.toString();
      const m = /listening on (\d+)/.exec(acceptorOut);
      if (m) resolve(Number(m[1]));
    });
    acceptor.stderr.on('data', (b: Buffer) => (acceptorOut += b.toString()));
    acceptor.once('exit', (code) => reject(new Error(`acceptor exited (${code}): ${acceptorOut}`)));
  });

  const initiator = await run(process.execPath, ['out/initiator.js', String(port), '4'], { cwd: app, env, timeout: 30_000 });
  assert.match(initiator.stdout, /logged on as FIX\.4\.4:CLIENT->DESK/);
  assert.equal((initiator.stdout.match(/ filled$/gm) ?? []).length, 3, initiator.stdout);
  assert.match(initiator.stdout, /rejected: unknown symbol XYZ/, 'the desk refuses an unknown symbol');
  assert.match(initiator.stdout, /^4 reports$/m);

  const dead = await freePort();
  const client = await run(process.execPath, ['out/failover-client.js', String(dead), String(port), '--orders', '2'], { cwd: app, env, timeout: 30_000 });
  assert.match(client.stdout, new RegExp(`127\\.0\\.0\\.1:${dead}`), 'the dead address was tried first');
  assert.match(client.stdout, /^2 orders filled$/m, client.stdout);

  acceptor.kill('SIGTERM');
  const [code] = await once(acceptor, 'exit');
  assert.equal(code, 0, acceptorOut);
  assert.match(acceptorOut, /logon FIX\.4\.4:DESK->CLIENT/);
  assert.match(acceptorOut, /logon FIX\.4\.4:DESK->FAILOVER/);
});
