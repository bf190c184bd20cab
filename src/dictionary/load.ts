/**
 * Loading dictionaries from files: path resolution (an existing file, else a dictionary shipped
 * in the package's `dict/` folder) and a cache by absolute path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataDictionary } from './dictionary.js';
import { DictionaryError, DictionaryNotFoundError } from './errors.js';
import { parseDictionary } from './parse.js';

/** File names of the dictionaries shipped in `<package root>/dict/`. */
export const SHIPPED_DICTIONARIES: readonly string[] = [
  'FIX40.xml', 'FIX41.xml', 'FIX42.xml', 'FIX43.xml', 'FIX44.xml', 'FIX50.xml', 'FIX50SP1.xml', 'FIX50SP2.xml', 'FIXT11.xml',
];

const PACKAGE_NAME = 'fixover';
let packageRoot: string | undefined;

function isPackageRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/**
 * The package root: the nearest folder above this module whose package.json names the package
 * (this module is src/dictionary/load.ts under tsx, dist/dictionary/load.js when built).
 */
export function packageRootDir(): string {
  if (packageRoot !== undefined) return packageRoot;
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (let up = 0; up < 6 && !isPackageRoot(dir); up++) dir = dirname(dir);
  packageRoot = isPackageRoot(dir) ? dir : resolve(here, '..', '..');
  return packageRoot;
}

/** The absolute path of a shipped dictionary (whether or not the file exists). */
export function shippedDictionaryPath(name: string): string | undefined {
  const shipped = SHIPPED_DICTIONARIES.find((n) => n.toLowerCase() === name.toLowerCase());
  return shipped === undefined ? undefined : join(packageRootDir(), 'dict', shipped);
}

/**
 * Resolves a dictionary path: the file itself when it exists (absolute, or relative to `baseDir`),
 * otherwise, when its base name is a shipped dictionary (FIX40.xml ... FIX50SP2.xml, FIXT11.xml,
 * any case), that dictionary in the package's `dict/` folder.
 * @throws DictionaryNotFoundError naming the path and listing the shipped dictionaries
 */
export function resolveDictionaryPath(path: string, baseDir: string = process.cwd()): string {
  const direct = resolve(baseDir, path);
  if (existsSync(direct)) return direct;
  const shipped = shippedDictionaryPath(basename(path));
  if (shipped !== undefined && existsSync(shipped)) return shipped;
  const tried = shipped === undefined ? direct : `${direct} and ${shipped}`;
  throw new DictionaryNotFoundError(path, tried, SHIPPED_DICTIONARIES);
}

const cache = new Map<string, DataDictionary>();

/**
 * Loads a dictionary file (synchronously), resolving the path with `resolveDictionaryPath`
 * against the working directory. Dictionaries are cached by absolute path: loading the same file
 * again returns the same instance.
 * @throws DictionaryNotFoundError when the path resolves to nothing
 * @throws DictionaryError when the file cannot be read or is not a valid dictionary
 */
export function loadDictionary(path: string): DataDictionary {
  const file = resolveDictionaryPath(path);
  const cached = cache.get(file);
  if (cached) return cached;
  let xml: string;
  try {
    if (statSync(file).isDirectory()) throw new Error('is a directory');
    xml = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DictionaryError(file, '(document)', `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const dict = parseDictionary(xml, file);
  cache.set(file, dict);
  return dict;
}

/** Forgets every cached dictionary (the next `loadDictionary` reads the file again). */
export function clearDictionaryCache(): void {
  cache.clear();
}
