/**
 * Shared paths and assertions of the dictionary loader tests.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DictionaryError, type DataDictionary, type GroupDef, type MemberSet } from '../../src/dictionary/index.js';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** QuickFIX's reference dictionaries (third-party test data, read-only, may be absent). */
export const SPEC_DIR = fileURLToPath(new URL('../../../shared/conformance/quickfix/spec/', import.meta.url));

/** `skip` option for tests that need the reference dictionaries. */
export const skipSpec: string | false = existsSync(SPEC_DIR)
  ? false
  : `reference dictionaries not found at ${SPEC_DIR} (the ../shared folder is absent)`;

/** Hand-written fixtures of this test suite. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/dictionary/', import.meta.url));

/** What a `DictionaryError` must say. */
export interface ExpectedError {
  file: string;
  element: string;
  problem: RegExp;
  line?: number;
}

/** Runs `fn`, which must throw a `DictionaryError` naming the file, element (and line). */
export function expectDictionaryError(fn: () => unknown, expected: ExpectedError): DictionaryError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DictionaryError, `expected a DictionaryError, got ${String(caught)}`);
  assert.equal(caught.file, expected.file);
  assert.equal(caught.element, expected.element);
  assert.match(caught.problem, expected.problem);
  if (expected.line !== undefined) assert.equal(caught.line, expected.line);
  assert.ok(caught.message.includes(expected.file), `message names the file: ${caught.message}`);
  assert.ok(caught.message.includes(expected.element), `message names the element: ${caught.message}`);
  return caught;
}

/** Tags of a member set that are required, ascending. */
export function requiredTags(set: MemberSet): number[] {
  return [...set.fields].filter(([, r]) => r).map(([t]) => t).sort((a, b) => a - b);
}

/**
 * Checks the model's invariants on a member set and its groups, recursively: every tag defined,
 * `order` listing each field exactly once, groups keyed by their count tags, delimiter first.
 */
export function checkMemberSet(dict: DataDictionary, set: MemberSet, where: string): void {
  assert.equal(new Set(set.order).size, set.order.length, `${where}: order has no repeats`);
  assert.deepEqual([...set.order].sort((a, b) => a - b), [...set.fields.keys()].sort((a, b) => a - b), `${where}: order lists the fields`);
  for (const tag of set.order) assert.ok(dict.field(tag), `${where}: tag ${tag} is defined`);
  for (const [countTag, group] of set.groups) {
    const at = `${where}/${group.name}`;
    assert.ok(set.fields.has(countTag), `${at}: count tag is a field of the enclosing set`);
    assert.equal(set.fields.get(countTag), group.required, `${at}: required flag agrees with the enclosing set`);
    checkGroup(dict, countTag, group, at);
  }
}

function checkGroup(dict: DataDictionary, countTag: number, group: GroupDef, where: string): void {
  assert.equal(group.countTag, countTag, `${where}: keyed by its count tag`);
  assert.equal(dict.field(countTag)?.name, group.name, `${where}: named after its count field`);
  assert.ok(group.order.length > 0, `${where}: has members`);
  assert.equal(group.delimiter, group.order[0], `${where}: delimiter is the first member`);
  checkMemberSet(dict, group, where);
}
