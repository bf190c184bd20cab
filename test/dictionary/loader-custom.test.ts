/**
 * Custom dictionaries: the syntax QuickFIX accepts (test/fixtures/dictionary/custom.xml), the
 * component flattening rule, user-defined fields, raw-data pairing and the tag lookups' edges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DataDictionary, loadDictionary, parseDictionary } from '../../src/dictionary/index.js';
import { FIXTURES, REPO_ROOT, SPEC_DIR, checkMemberSet, requiredTags, skipSpec } from './helpers.js';

const custom = (): DataDictionary => loadDictionary(`${FIXTURES}custom.xml`);

test('custom.xml loads: version, quotes, comments, CDATA, attribute order, lower-case flags', () => {
  const d = custom();
  assert.equal(d.beginString, 'FIX.4.4');
  assert.equal(d.servicePack, 0, 'servicepack is optional');
  assert.deepEqual(requiredTags(d.header), [8, 9, 34, 35, 49, 52, 56], "required='y' counts as Y");
  assert.equal(d.trailer.fields.get(89), false, "required='n'");
  assert.equal(d.field(35)?.values?.get('D'), 'ORDER_SINGLE', 'value attributes in any order');
  assert.equal(d.field(35)?.values?.get('S'), 'QUOTE', 'single quotes');
  assert.equal(d.field(54)?.values?.get('9'), '', 'a value without description');
  assert.equal(d.field(54)?.values?.get('5'), 'SELL & SHORT \u2014 <sic>', 'entities and character references decoded');
  assert.equal(d.field(38)?.type, 'QTY', 'types are upper-cased');
  assert.equal(d.field(55)?.type, 'STRING');
  checkMemberSet(d, d.header, 'header');
  for (const m of d.messages()) checkMemberSet(d, m, m.name);
  for (const c of d.components()) checkMemberSet(d, c, c.name);
});

test('unknown field types are kept and reported', () => {
  const d = custom();
  assert.equal(d.field(5001)?.type, 'DESK_CODE');
  assert.deepEqual([...d.unknownTypes], ['DESK_CODE']);
  assert.ok(d.warnings.some((w) => w.includes("fields/field[@name='DeskCode']") && w.includes('DESK_CODE')));
});

test('message categories: msgcat, else the session-level types', () => {
  const d = custom();
  assert.equal(d.message('0')?.category, 'admin');
  assert.equal(d.message('1')?.category, 'admin', 'TestRequest has no msgcat');
  assert.equal(d.message('S')?.category, 'app', 'Quote has no msgcat');
  assert.equal(d.message('D')?.category, 'app');
  assert.ok(d.isAdminMessage('1'));
  assert.ok(d.isAdminMessage('A'), 'an undefined session-level type');
  assert.ok(!d.isAdminMessage('D'));
  assert.ok(!d.isAdminMessage('ZZ'));
});

test('components flatten in place; required only when reference and member are required', () => {
  const d = custom();
  const nos = d.message('D')!;
  assert.deepEqual(nos.order, [11, 55, 454, 453, 12, 13, 54, 38, 5001, 5010, 5003]);
  assert.deepEqual(requiredTags(nos), [11, 54, 55, 5001], 'Symbol: Instrument Y, Symbol Y');
  assert.equal(nos.fields.get(454), false, 'SecAltIDGrp referenced with N: its required group is optional');
  assert.equal(nos.fields.get(453), false, 'Parties referenced with N: its required group is optional');
  assert.equal(nos.groups.get(453)?.required, false, 'the flattened group says so too');
  const parties = d.component('Parties')!;
  assert.equal(parties.fields.get(453), true, 'the component keeps its own flags');
  assert.equal(parties.groups.get(453)?.required, true);
  const instrument = d.component('Instrument')!;
  assert.deepEqual(instrument.order, [55, 454], 'nested component flattened into its parent');
  assert.equal(instrument.fields.get(454), false);
  assert.equal(nos.fields.get(12), false, 'CommissionData referenced with N: its required field is optional');
  assert.equal(d.message('S')?.fields.get(55), true, 'the same component in another message');
  assert.equal(d.message('S')?.fields.get(12), true, 'CommissionData referenced with Y: its required field is required');
  assert.equal(d.message('S')?.fields.get(13), false);
});

test('groups in components, components in groups, nested groups', () => {
  const d = custom();
  const parties = d.group('D', 453)!;
  assert.equal(parties.name, 'NoPartyIDs');
  assert.equal(parties.delimiter, 448, 'delimiter: first field of the component that opens the group');
  assert.deepEqual(parties.order, [448, 447, 452, 802]);
  assert.equal(parties.fields.get(448), true);
  const sub = parties.groups.get(802)!;
  assert.equal(sub.delimiter, 523);
  assert.equal(sub.required, false);
  assert.deepEqual([...sub.fields], [[523, true], [803, false]]);
  assert.equal(d.group('D', 802), undefined, 'nested groups are found through their parent group');
  assert.equal(d.group('D', 454)?.delimiter, 455);
  assert.equal(d.group('D', 627)?.delimiter, 628, 'header group');
});

test('user-defined fields (5000+) work like any other', () => {
  const d = custom();
  assert.ok(d.isMessageField('D', 5001));
  assert.ok(!d.isMessageField('S', 5001));
  assert.equal(d.fieldByName('DeskCode')?.tag, 5001);
  assert.equal(d.field(70000)?.name, 'FarAway', 'tags past the dense tables');
  assert.ok(d.isHeaderField(70000));
  assert.ok(!d.isHeaderField(70001));
});

test('an unused broken component is left out with a warning, as QuickFIX never reads it', () => {
  const d = custom();
  assert.equal(d.component('Unused'), undefined);
  assert.ok(d.warnings.some((w) => w.includes("component[@name='Unused']") && w.includes("'Ghost' is not defined")));
  assert.deepEqual([...d.components()].map((c) => c.name), ['Instrument', 'SecAltIDGrp', 'Parties', 'PartyKey', 'CommissionData']);
  assert.deepEqual([...d.messages()].map((m) => m.msgType), ['0', '1', 'D', 'S']);
  assert.deepEqual([...d.messages()].map((m) => m.msgType), ['0', '1', 'D', 'S'], 'iterable more than once');
});

test('raw-data fields pair with their length fields by name, else by the tag before', () => {
  const d = custom();
  assert.equal(d.lengthTagOf(89), 93, 'Signature / SignatureLength');
  assert.equal(d.lengthTagOf(5003), 5010, 'Blob / BlobLen, not adjacent');
  assert.equal(d.lengthTagOf(5021), 5020, 'Image / ImageSize: the LENGTH field just before');
  assert.equal(d.lengthTagOf(5030), undefined, 'Orphan has no length field');
  assert.ok(d.isDataField(5021), 'XMLDATA is data');
  assert.ok(!d.isDataField(5020));
  assert.deepEqual(d.dataFieldPairs(), [[93, 89], [5010, 5003], [5020, 5021]]);
});

test('tag lookups refuse odd tags', () => {
  const d = custom();
  for (const t of [-1, 0, 8.5, Number.NaN, Infinity, 2 ** 40]) {
    assert.ok(!d.isHeaderField(t), `isHeaderField(${t})`);
    assert.ok(!d.isTrailerField(t), `isTrailerField(${t})`);
    assert.ok(!d.isDataField(t), `isDataField(${t})`);
    assert.equal(d.field(t), undefined, `field(${t})`);
  }
  assert.ok(d.isHeaderField(8));
  assert.ok(d.isTrailerField(10));
});

test('a minimal dictionary: empty sections, no components, double quotes, FIXT', () => {
  const d = parseDictionary(`<?xml version="1.0"?>
<fix major="1" type="fixt" minor="1" servicepack="0">
  <header/><trailer></trailer><messages/><fields/>
</fix>`);
  assert.equal(d.source, '<string>');
  assert.equal(d.type, 'FIXT', 'type is upper-cased');
  assert.equal(d.beginString, 'FIXT.1.1');
  assert.equal([...d.messages()].length, 0);
  assert.equal([...d.fields()].length, 0);
  assert.equal(d.message('A'), undefined);
  assert.equal(d.group('A', 627), undefined);
  assert.deepEqual(d.warnings, []);
});

test('BeginString: service packs from FIX 5.0 on', () => {
  const d = parseDictionary("<fix type='FIX' major='5' minor='0' servicepack='1'><header/><trailer/><messages/><fields/></fix>");
  assert.equal(d.beginString, 'FIX.5.0SP1');
  const sections = '<header/><trailer/><messages/><fields/>';
  assert.equal(parseDictionary(`<fix type='FIX' major='4' minor='4' servicepack='1'>${sections}</fix>`).beginString, 'FIX.4.4', 'no SP before FIX 5');
  assert.equal(parseDictionary(`<fix type='FIXT' major='1' minor='1' servicepack='1'>${sections}</fix>`).beginString, 'FIXT.1.1');
  assert.equal(parseDictionary(`<fix type='FIX' major='5' minor='0' servicepack='0'>${sections}</fix>`).beginString, 'FIX.5.0');
});

test('a field listed twice keeps its first place and is required if either use is', () => {
  const d = parseDictionary(`<fix type='FIX' major='4' minor='4'>
<header/><trailer/>
<messages><message name='NewOrderSingle' msgtype='D' msgcat='app'>
  <field name='ClOrdID' required='N'/>
  <field name='Symbol' required='N'/>
  <component name='Key' required='Y'/>
</message></messages>
<components><component name='Key'><field name='ClOrdID' required='Y'/><field name='Symbol' required='N'/></component></components>
<fields><field number='11' name='ClOrdID' type='STRING'/><field number='55' name='Symbol' type='STRING'/></fields>
</fix>`);
  const nos = d.message('D')!;
  assert.deepEqual(nos.order, [11, 55]);
  assert.deepEqual([...nos.fields], [[11, true], [55, false]]);
});

test('unknown elements are ignored with a warning', () => {
  const d = parseDictionary(`<fix type='FIX' major='4' minor='2'>
<header><field name='BeginString' required='Y'/><note>text</note></header>
<trailer/><messages/><extensions/>
<fields><field number='8' name='BeginString' type='STRING'/></fields>
</fix>`);
  assert.deepEqual([...d.header.fields], [[8, true]]);
  assert.deepEqual([...d.warnings].sort(), [
    '<string>:2: header/note: unexpected <note> ignored',
    '<string>:3: extensions: unexpected <extensions> ignored',
  ]);
});

test('a user-defined field added to the reference FIX 4.4 NewOrderSingle', { skip: skipSpec }, () => {
  const xml = readFileSync(`${SPEC_DIR}FIX44.xml`, 'utf8')
    .replace("msgtype='D' msgcat='app'>", "msgtype='D' msgcat='app'><field name='TraderDesk' required='Y' />")
    .replace('<fields>', "<fields><field number='5005' name='TraderDesk' type='STRING'><value enum='EQ' description='EQUITIES'/></field>");
  const d = parseDictionary(xml, 'FIX44-custom.xml');
  assert.equal(d.source, 'FIX44-custom.xml');
  assert.ok(d.isMessageField('D', 5005));
  assert.equal(d.message('D')?.fields.get(5005), true);
  assert.equal(d.field(5005)?.values?.get('EQ'), 'EQUITIES');
  assert.deepEqual(d.message('D')!.order.slice(0, 2), [5005, 11], 'placed where it was written');
  assert.ok(!loadDictionary(`${SPEC_DIR}FIX44.xml`).isMessageField('D', 5005), 'the reference is unchanged');
});

test("QuickFIX/J's own dictionaries load: a root <fix> without a type attribute is FIX, as QuickFIX/J reads it", () => {
  const shipped = readFileSync(`${REPO_ROOT}dict/FIX44.xml`, 'utf8');
  const untyped = shipped.replace(/<fix type="FIX" /, '<fix ');
  assert.notEqual(untyped, shipped, 'the root lost its type attribute');
  const d = parseDictionary(untyped, 'qfj-FIX44.xml');
  assert.equal(d.beginString, 'FIX.4.4');
  assert.equal([...d.messages()].length, [...loadDictionary(`${REPO_ROOT}dict/FIX44.xml`).messages()].length);
  assert.throws(() => parseDictionary(shipped.replace(/<fix type="FIX" /, '<fix type="" '), 'empty.xml'), /type='' must be FIX or FIXT/, 'an empty type is still refused');
});
