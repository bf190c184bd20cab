/**
 * Dictionary paths: existing files first (absolute or relative to a base folder), then the
 * dictionaries shipped in the package's dict/ folder by file name (skipped, with a message, while
 * dict/ has not been generated), and a typed error listing the shipped names otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DictionaryNotFoundError,
  SHIPPED_DICTIONARIES,
  loadDictionary,
  packageRootDir,
  resolveDictionaryPath,
  shippedDictionaryPath,
} from '../../src/dictionary/index.js';
import { FIXTURES, REPO_ROOT, SPEC_DIR, skipSpec } from './helpers.js';

const ROOT = REPO_ROOT.replace(/[/\\]$/, '');
const DICT_DIR = join(ROOT, 'dict');
const skipShipped = existsSync(join(DICT_DIR, 'FIX42.xml')) ? false : `shipped dictionaries not generated yet (${join(DICT_DIR, 'FIX42.xml')} is absent)`;

/** A fresh empty folder, removed after `fn`. */
function inEmptyDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-dict-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the package root is found from the module file', () => {
  assert.equal(packageRootDir(), ROOT);
  assert.equal(shippedDictionaryPath('fixt11.XML'), join(DICT_DIR, 'FIXT11.xml'), 'case-insensitive, canonical spelling');
  assert.equal(shippedDictionaryPath('FIX45.xml'), undefined);
  assert.deepEqual(SHIPPED_DICTIONARIES, ['FIX40.xml', 'FIX41.xml', 'FIX42.xml', 'FIX43.xml', 'FIX44.xml', 'FIX50.xml', 'FIX50SP1.xml', 'FIX50SP2.xml', 'FIXT11.xml']);
});

test('the built module finds the same package root', async (t) => {
  const built = join(ROOT, 'dist', 'dictionary', 'load.js');
  if (!existsSync(built)) return t.skip(`not built yet (${built} is absent)`);
  const mod = (await import(pathToFileURL(built).href)) as { packageRootDir?: () => string };
  if (typeof mod.packageRootDir !== 'function') return t.skip(`${built} predates packageRootDir (stale build)`);
  assert.equal(mod.packageRootDir(), ROOT);
});

test('an existing file is returned as an absolute path', () => {
  assert.equal(resolveDictionaryPath(`${FIXTURES}custom.xml`), `${FIXTURES}custom.xml`);
  assert.equal(resolveDictionaryPath('custom.xml', FIXTURES), `${FIXTURES}custom.xml`);
  assert.equal(resolveDictionaryPath('test/fixtures/dictionary/custom.xml', ROOT), `${FIXTURES}custom.xml`);
});

test('an existing file wins over a shipped dictionary of the same name', { skip: skipSpec }, () => {
  assert.equal(resolveDictionaryPath('FIX44.xml', SPEC_DIR), `${SPEC_DIR}FIX44.xml`);
  assert.equal(loadDictionary(resolveDictionaryPath('FIX42.xml', SPEC_DIR)).source, `${SPEC_DIR}FIX42.xml`);
});

test('an unknown path throws DictionaryNotFoundError listing the shipped names', () => {
  inEmptyDir((dir) => {
    let caught: unknown;
    try {
      resolveDictionaryPath('nope/MyDict.xml', dir);
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof DictionaryNotFoundError);
    assert.equal(caught.path, 'nope/MyDict.xml');
    assert.deepEqual(caught.shipped, SHIPPED_DICTIONARIES);
    assert.match(caught.message, /nope\/MyDict\.xml/);
    for (const name of SHIPPED_DICTIONARIES) assert.ok(caught.message.includes(name), `lists ${name}`);
    assert.throws(() => loadDictionary(join(dir, 'missing.xml')), DictionaryNotFoundError);
  });
});

test('a shipped name resolves to dict/ (or says where it looked)', () => {
  inEmptyDir((dir) => {
    const shipped = join(DICT_DIR, 'FIX40.xml');
    if (existsSync(shipped)) {
      assert.equal(resolveDictionaryPath('fix40.xml', dir), shipped);
    } else {
      assert.throws(() => resolveDictionaryPath('fix40.xml', dir), (e: unknown) => e instanceof DictionaryNotFoundError && e.message.includes(shipped));
    }
  });
});

test('shipped dictionaries by name, in any case and under any folder', { skip: skipShipped }, () => {
  inEmptyDir((dir) => {
    assert.equal(resolveDictionaryPath('FIX42.xml', dir), join(DICT_DIR, 'FIX42.xml'));
    assert.equal(resolveDictionaryPath('fix42.XML', dir), join(DICT_DIR, 'FIX42.xml'));
    assert.equal(resolveDictionaryPath('spec/FIX42.xml', dir), join(DICT_DIR, 'FIX42.xml'));
  });
  const d = loadDictionary('FIX42.xml');
  assert.equal(d.source, join(DICT_DIR, 'FIX42.xml'));
  assert.equal(d.beginString, 'FIX.4.2');
  assert.equal(loadDictionary(join(DICT_DIR, 'FIX42.xml')), d, 'cached by absolute path');
});

test('every shipped dictionary that exists loads and names its version', { skip: skipShipped }, () => {
  const begin: Record<string, string> = {
    'FIX40.xml': 'FIX.4.0', 'FIX41.xml': 'FIX.4.1', 'FIX42.xml': 'FIX.4.2', 'FIX43.xml': 'FIX.4.3', 'FIX44.xml': 'FIX.4.4',
    'FIX50.xml': 'FIX.5.0', 'FIX50SP1.xml': 'FIX.5.0SP1', 'FIX50SP2.xml': 'FIX.5.0SP2', 'FIXT11.xml': 'FIXT.1.1',
  };
  for (const name of SHIPPED_DICTIONARIES) {
    const file = join(DICT_DIR, name);
    if (!existsSync(file)) continue;
    const d = loadDictionary(file);
    assert.equal(d.beginString, begin[name], name);
    if (d.type === 'FIX' && d.major === 4) assert.equal(d.message('D')?.fields.get(11), true, `${name}: NewOrderSingle requires ClOrdID`);
  }
});
