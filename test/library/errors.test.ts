/**
 * One error hierarchy: every error class the package exports extends FixoverError and has a code,
 * and the source throws no plain Error, RangeError or TypeError (but where a caller wraps it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fixover from '../../src/index.js';

const src = fileURLToPath(new URL('../../src', import.meta.url));

test('every exported error class extends FixoverError', () => {
  const errors = Object.entries(fixover).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error);
  assert.ok(errors.length > 20, `found ${errors.length}`);
  const outside = errors.filter(([, v]) => !(v === fixover.FixoverError || (v as { prototype: unknown }).prototype instanceof fixover.FixoverError)).map(([k]) => k);
  assert.deepEqual(outside, []);
});

test('errors carry a stable code and their class name', () => {
  const e = new fixover.DictionaryNotFoundError('FIX99.xml', '/x/FIX99.xml', ['FIX44.xml']);
  assert.ok(e instanceof fixover.FixoverError);
  assert.equal(e.code, 'DICTIONARY_NOT_FOUND_ERROR');
  assert.equal(e.name, 'DictionaryNotFoundError');
  assert.equal(new fixover.SessionNotFound('x').code, 'SESSION_NOT_FOUND');
  assert.equal(new fixover.FixoverError('x', { code: 'MINE' }).code, 'MINE');
  assert.throws(() => new fixover.Message('D').set('NoSuchField', 'x'), (err: unknown) => err instanceof fixover.MessageBuildError && err.code === 'MESSAGE_BUILD_ERROR');
});

test('the source throws only FixoverErrors (plain ones only where the caller wraps them)', () => {
  const wrapped = new Set(['dictionary/load.ts', 'store/file-store-fs.ts']);
  const found: string[] = [];
  for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!f.endsWith('.ts') || f.startsWith('cli/') || f.startsWith('conformance/') || wrapped.has(f)) continue;
    const text = readFileSync(join(src, f), 'utf8');
    for (const m of text.matchAll(/throw new (Error|RangeError|TypeError)\(/g)) found.push(`${f}: ${m[0]}`);
  }
  assert.deepEqual(found, []);
});
