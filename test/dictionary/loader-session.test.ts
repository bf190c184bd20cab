/**
 * Session dictionaries: FIXT 1.1 transport + FIX 5.0 application dictionary answering together
 * (header questions to the transport, bodies to the application), and FIX 4.x alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageSchema } from '../../src/codec/schema.js';
import { DictionaryError, SessionDictionaries, combineDictionaries, loadDictionary } from '../../src/dictionary/index.js';
import type { ValidationDictionary } from '../../src/validation/validator.js';
import { FIXTURES, SPEC_DIR, skipSpec } from './helpers.js';

const spec = (file: string) => loadDictionary(SPEC_DIR + file);

test('FIXT 1.1 with FIX 5.0 SP2: header from the transport, bodies from the application', { skip: skipSpec }, () => {
  const transport = spec('FIXT11.xml');
  const app = spec('FIX50SP2.xml');
  const s = combineDictionaries(transport, app);
  assert.equal(s.transport, transport);
  assert.equal(s.app, app);
  assert.ok(s.isHeaderField(1128), 'ApplVerID is a header field of the session');
  assert.ok(!app.isHeaderField(1128), 'but not of the application dictionary');
  assert.ok(s.isTrailerField(10));
  assert.equal(s.header, transport.header);
  assert.equal(s.trailer, transport.trailer);
  assert.equal(s.dictionaryFor('A'), transport);
  assert.equal(s.dictionaryFor('D'), app);
  assert.equal(s.message('A')?.name, 'Logon');
  assert.equal(s.message('D')?.name, 'NewOrderSingle');
  assert.equal(s.group('D', 627)?.name, 'NoHops', 'header group from the transport');
  assert.equal(s.group('D', 78)?.delimiter, 79, 'body group from the application');
  assert.equal(s.message('A')?.fields.get(1137), true, 'DefaultApplVerID: the transport Logon');
  assert.equal(s.field(44)?.name, 'Price');
  assert.equal(s.fieldByName('HopCompID')?.tag, 628);
  const schema: MessageSchema = s;
  const validation: ValidationDictionary = s;
  assert.equal(schema.isHeaderField(35), true);
  assert.equal(validation.message('D')?.fields.get(11), true);
});

test('FIX 4.x: one dictionary is both', { skip: skipSpec }, () => {
  const d = spec('FIX44.xml');
  const s = new SessionDictionaries(d);
  assert.equal(s.app, d);
  assert.equal(s.dictionaryFor('A'), d);
  assert.equal(s.dictionaryFor('D'), d);
  assert.equal(s.group('D', 627)?.delimiter, 628);
  const custom = loadDictionary(`${FIXTURES}custom.xml`);
  assert.equal(combineDictionaries(d, custom).message('D')?.fields.get(5001), true, 'a custom app dictionary of the same version');
});

test('pairs that cannot work are refused', { skip: skipSpec }, () => {
  const refused = (f: () => unknown, problem: RegExp): void => {
    assert.throws(f, (e: unknown) => e instanceof DictionaryError && problem.test(e.problem) && e.element === 'fix');
  };
  refused(() => combineDictionaries(spec('FIX50SP2.xml')), /has no session layer/);
  refused(() => combineDictionaries(spec('FIXT11.xml'), spec('FIXT11.xml')), /cannot be an application dictionary/);
  refused(() => combineDictionaries(spec('FIX44.xml'), spec('FIX42.xml')), /FIX\.4\.2 does not match the FIX\.4\.4 session/);
});
