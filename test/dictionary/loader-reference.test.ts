/**
 * The loader against QuickFIX's reference dictionaries in ../shared (skipped when absent): every
 * file loads (or, for the copyright notice, is refused), the model keeps its invariants, and
 * concrete facts of FIX 4.2, 4.4, FIXT 1.1 and FIX 5.0 hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import type { MessageSchema } from '../../src/codec/schema.js';
import { DictionaryError, loadDictionary, type DataDictionary } from '../../src/dictionary/index.js';
import type { ValidationDictionary } from '../../src/validation/validator.js';
import { SPEC_DIR, checkMemberSet, requiredTags, skipSpec } from './helpers.js';

const spec = (file: string): DataDictionary => loadDictionary(SPEC_DIR + file);

/** What each reference file must declare. */
const EXPECTED: Record<string, { begin: string; type: 'FIX' | 'FIXT'; sessionLayer: boolean }> = {
  'FIX40.xml': { begin: 'FIX.4.0', type: 'FIX', sessionLayer: true },
  'FIX41.xml': { begin: 'FIX.4.1', type: 'FIX', sessionLayer: true },
  'FIX42.xml': { begin: 'FIX.4.2', type: 'FIX', sessionLayer: true },
  'FIX43.xml': { begin: 'FIX.4.3', type: 'FIX', sessionLayer: true },
  'FIX44.xml': { begin: 'FIX.4.4', type: 'FIX', sessionLayer: true },
  'FIX50.xml': { begin: 'FIX.5.0', type: 'FIX', sessionLayer: false },
  'FIX50SP1.xml': { begin: 'FIX.5.0SP1', type: 'FIX', sessionLayer: false },
  'FIX50SP2.xml': { begin: 'FIX.5.0SP2', type: 'FIX', sessionLayer: false },
  'FIXT11.xml': { begin: 'FIXT.1.1', type: 'FIXT', sessionLayer: true },
};

test('every file of the reference spec folder loads, except the copyright notice', { skip: skipSpec }, () => {
  const files = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.xml')).sort();
  assert.deepEqual(files.filter((f) => f in EXPECTED), Object.keys(EXPECTED).sort(), 'all nine dictionaries are present');
  for (const file of files) {
    const want = EXPECTED[file];
    if (!want) {
      assert.throws(() => spec(file), (e: unknown) => e instanceof DictionaryError && e.file === SPEC_DIR + file && /expected <fix>/.test(e.problem));
      continue;
    }
    const dict = spec(file);
    assert.equal(dict.source, SPEC_DIR + file);
    assert.equal(dict.beginString, want.begin, file);
    assert.equal(dict.type, want.type, file);
    assert.deepEqual([...dict.unknownTypes], [], `${file}: every type is known`);
    assert.equal(dict.header.fields.size > 0, want.sessionLayer, `${file}: header ${want.sessionLayer ? 'filled' : 'empty'}`);
    assert.equal(dict.trailer.fields.size > 0, want.sessionLayer, `${file}: trailer ${want.sessionLayer ? 'filled' : 'empty'}`);
    assert.ok([...dict.messages()].length >= 8, `${file}: has messages`);
  }
});

test('model invariants hold in every reference dictionary', { skip: skipSpec }, () => {
  for (const file of Object.keys(EXPECTED)) {
    const dict = spec(file);
    checkMemberSet(dict, dict.header, `${file} header`);
    checkMemberSet(dict, dict.trailer, `${file} trailer`);
    for (const m of dict.messages()) checkMemberSet(dict, m, `${file} ${m.name}`);
    for (const c of dict.components()) checkMemberSet(dict, c, `${file} component ${c.name}`);
    for (const f of dict.fields()) {
      assert.equal(dict.field(f.tag), f);
      assert.equal(dict.fieldByName(f.name), f);
      assert.equal(f.type, f.type.toUpperCase());
    }
  }
});

test('FIX 4.4 NewOrderSingle: required fields, flattened components, groups', { skip: skipSpec }, () => {
  const d = spec('FIX44.xml');
  const nos = d.message('D');
  assert.ok(nos);
  assert.equal(nos.name, 'NewOrderSingle');
  assert.equal(nos.category, 'app');
  assert.deepEqual(requiredTags(nos), [11, 40, 54, 60]);
  // Instrument (required) and OrderQtyData (required) are flattened in; their fields are optional.
  assert.equal(nos.fields.get(55), false, 'Symbol from Instrument');
  assert.equal(nos.fields.get(38), false, 'OrderQty from OrderQtyData');
  assert.ok(nos.order.indexOf(11) < nos.order.indexOf(55) && nos.order.indexOf(55) < nos.order.indexOf(54), 'components expanded in place');
  const allocs = nos.groups.get(78);
  assert.ok(allocs);
  assert.equal(allocs.name, 'NoAllocs');
  assert.equal(allocs.delimiter, 79);
  assert.equal(allocs.required, false);
  assert.equal(d.group('D', 78), allocs);
  const nested = allocs.groups.get(539);
  assert.equal(nested?.name, 'NoNestedPartyIDs', 'NestedParties flattened into the NoAllocs group');
  assert.equal(nested?.delimiter, 524);
  assert.equal(nested?.groups.get(804)?.delimiter, 545, 'groups nest to any depth');
  assert.ok(d.isMessageField('D', 11));
  assert.ok(d.isMessageField('D', 78));
  assert.ok(!d.isMessageField('D', 79), 'group members are not top-level fields');
  assert.ok(!d.isMessageField('D', 8), 'header fields are not body fields');
  assert.ok(!d.isMessageField('ZZ', 11));
  assert.equal(d.component('Instrument')?.fields.has(55), true);
  assert.equal(d.component('NoSuchComponent'), undefined);
});

test('FIX 4.4 header holds the NoHops group; admin messages', { skip: skipSpec }, () => {
  const d = spec('FIX44.xml');
  const hops = d.header.groups.get(627);
  assert.equal(hops?.name, 'NoHops');
  assert.equal(hops?.delimiter, 628);
  assert.equal(d.group('D', 627), hops, 'header groups are found for any message');
  assert.equal(d.group('0', 627), hops);
  assert.ok(d.isHeaderField(627));
  assert.ok(!d.isHeaderField(628), 'group members are not header fields');
  assert.deepEqual(requiredTags(d.header), [8, 9, 34, 35, 49, 52, 56]);
  assert.deepEqual(requiredTags(d.trailer), [10]);
  for (const t of ['0', '1', '2', '3', '4', '5', 'A']) assert.ok(d.isAdminMessage(t), t);
  assert.ok(!d.isAdminMessage('D'));
  assert.equal(d.group('D', 9999), undefined);
});

test('FIX 4.2: enums, header and trailer fields, raw-data pairs', { skip: skipSpec }, () => {
  const d = spec('FIX42.xml');
  assert.equal(d.major, 4);
  assert.equal(d.minor, 2);
  assert.equal(d.servicePack, 0);
  const msgType = d.field(35);
  assert.equal(msgType?.name, 'MsgType');
  assert.equal(msgType?.values?.get('D'), 'NEW_ORDER_SINGLE');
  assert.equal(msgType?.values?.get('0'), 'HEARTBEAT');
  assert.equal(d.field(11)?.values, null, 'no enum: null');
  assert.equal(d.field(44)?.type, 'PRICE');
  assert.equal(d.fieldByName('HandlInst')?.tag, 21);
  for (const t of [8, 9, 35, 49, 56, 34, 52, 128, 129, 145, 115, 116, 144, 90, 91, 212, 213]) assert.ok(d.isHeaderField(t), `header ${t}`);
  for (const t of [10, 93, 89]) assert.ok(d.isTrailerField(t), `trailer ${t}`);
  for (const t of [55, 11, 10, 0, -1, 99999]) assert.ok(!d.isHeaderField(t), `not header ${t}`);
  assert.ok(!d.isTrailerField(35));
  const pairs: Array<[number, number]> = [[96, 95], [89, 93], [91, 90], [213, 212], [355, 354], [351, 350], [349, 348]];
  for (const [data, length] of pairs) {
    assert.ok(d.isDataField(data), `${data} is data`);
    assert.equal(d.lengthTagOf(data), length, `lengthTagOf(${data})`);
  }
  assert.ok(!d.isDataField(95));
  assert.equal(d.lengthTagOf(95), undefined, 'a length field has no length');
  assert.equal(d.lengthTagOf(55), undefined);
  assert.deepEqual(new Set(d.dataFieldPairs().map(([l, t]) => `${l}/${t}`)), new Set(pairs.map(([t, l]) => `${l}/${t}`).concat(
    ['352/353', '356/357', '358/359', '360/361', '362/363', '364/365', '445/446'])));
});

test('FIXT 1.1 is the transport: header, trailer and admin messages only', { skip: skipSpec }, () => {
  const d = spec('FIXT11.xml');
  assert.equal(d.type, 'FIXT');
  assert.equal(d.beginString, 'FIXT.1.1');
  assert.ok(d.isHeaderField(1128), 'ApplVerID');
  assert.ok(d.isHeaderField(1129));
  assert.equal(d.header.groups.get(627)?.delimiter, 628);
  assert.deepEqual([...d.messages()].map((m) => m.category), [...d.messages()].map(() => 'admin'));
  assert.equal(d.message('A')?.name, 'Logon');
  assert.equal(d.message('D'), undefined);
  assert.equal(d.lengthTagOf(1402), 1401);
  assert.deepEqual(d.component('MsgTypeGrp')?.order, [], 'an empty component is accepted');
});

test('FIX 5.0 application dictionaries: empty header and trailer, service packs', { skip: skipSpec }, () => {
  const sp2 = spec('FIX50SP2.xml');
  assert.equal(sp2.type, 'FIX');
  assert.equal(sp2.major, 5);
  assert.equal(sp2.servicePack, 2);
  assert.equal(sp2.header.fields.size, 0);
  assert.equal(sp2.header.order.length, 0);
  assert.equal(sp2.trailer.fields.size, 0);
  assert.ok(!sp2.isHeaderField(8));
  assert.ok(!sp2.isTrailerField(10));
  assert.deepEqual(requiredTags(sp2.message('D')!), [11, 40, 54, 60]);
  // Length fields named by the X / XLen / XLength rule, the exception, and a length after its data.
  assert.equal(sp2.lengthTagOf(42684), 43109, 'PaymentStreamFormula / PaymentStreamFormulaLength');
  assert.equal(sp2.lengthTagOf(1527), 1525, 'EncodedDocumentationText / EncodedDocumentationTextLen');
  assert.equal(sp2.lengthTagOf(2371), 2372, 'EncodedTradeContinuationText: length after data');
  assert.equal(sp2.lengthTagOf(41874), 41873, 'EncodedUnderlyingMarketDisruptionFallbackUnderlierSecurityDesc');
  assert.equal(sp2.lengthTagOf(1185), 1184, 'XMLDATA SecurityXML');
  assert.ok(sp2.isDataField(1185));
  assert.equal(spec('FIX50.xml').beginString, 'FIX.5.0');
  assert.equal(spec('FIX50SP1.xml').servicePack, 1);
});

test('loadDictionary caches by absolute path', { skip: skipSpec }, () => {
  const a = spec('FIX42.xml');
  assert.equal(spec('FIX42.xml'), a);
  assert.equal(loadDictionary(relative(process.cwd(), SPEC_DIR + 'FIX42.xml')), a, 'a relative path to the same file');
  assert.notEqual(spec('FIX44.xml'), a);
});

test('a DataDictionary is what the codec and the validator ask for', { skip: skipSpec }, () => {
  const d = spec('FIX44.xml');
  const schema: MessageSchema = d;
  const validation: ValidationDictionary = d;
  assert.equal(schema.group('D', 78)?.delimiter, 79);
  assert.equal(validation.message('D')?.fields.get(11), true);
});
