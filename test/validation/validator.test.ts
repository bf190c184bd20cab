/**
 * Validation against real QuickFIX dictionaries: the reference FIX 4.4 and FIX 4.2 files in
 * ../shared (skipped when absent) give the same rejects the acceptance suite expects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Parser } from '../../src/codec/index.js';
import { loadDictionary, parseDictionary } from '../../src/dictionary/index.js';
import { MessageValidator, type Rejection, type ValidationOptions } from '../../src/validation/index.js';
import { frame } from '../codec/helpers.js';

const spec = fileURLToPath(new URL('../../../shared/conformance/quickfix/spec/', import.meta.url));
const skip = existsSync(spec) ? false : `reference dictionaries not found at ${spec}`;

const TIME = '20261123-06:00:00.000';
const H = `34=2|49=TW44|52=${TIME}|56=ISLD|`;

function check(body: string, options: Partial<ValidationOptions> = {}, file = 'FIX44.xml', begin = 'FIX.4.4'): Rejection | null {
  const dict = loadDictionary(spec + file);
  const v = new Parser().parse(frame(body, begin));
  return new MessageValidator(dict, dict, options).validate(v);
}

function expectReject(r: Rejection | null, reason: number, tag: number | undefined, text: string): void {
  assert.ok(r, 'expected a reject');
  assert.deepEqual({ reason: r.reason, tag: r.tag, text: r.text }, { reason, tag, text });
}

const NOS = `11=ID|21=1|40=1|54=1|38=200.00|55=INTC|60=${TIME}|`;

test('a valid NewOrderSingle passes', { skip }, () => {
  assert.equal(check(`35=D|${H}${NOS}`), null);
});

test('invalid tag numbers: undefined, 0, negative, user-defined', { skip }, () => {
  expectReject(check(`35=0|${H}999=HI|`), 0, 999, 'Invalid tag number');
  expectReject(check(`35=0|${H}0=HI|`), 0, 0, 'Invalid tag number');
  expectReject(check(`35=0|${H}-1=HI|`), 0, -1, 'Invalid tag number');
  expectReject(check(`35=0|${H}5000=HI|`), 0, 5000, 'Invalid tag number');
  assert.equal(check(`35=0|${H}5000=HI|`, { validateUserDefinedFields: false }), null);
  assert.equal(check(`35=0|${H}999=HI|`, { allowUnknownMsgFields: true }), null);
});

test('required tag missing, header first then body in tag order', { skip }, () => {
  expectReject(check(`35=0|34=2|49=TW44|52=${TIME}|`), 1, 56, 'Required tag missing');
  expectReject(check(`35=D|49=TW44|34=3|56=ISLD|52=${TIME}|40=1|60=${TIME}|54=1|21=3|`), 1, 11, 'Required tag missing');
});

test('tag not defined for this message type', { skip }, () => {
  expectReject(check(`35=0|${H}55=MSFT|`), 2, 55, 'Tag not defined for this message type');
});

test('tag specified without a value, unless ValidateFieldsHaveValues=N', { skip }, () => {
  expectReject(check(`35=0|34=2|49=TW44|52=${TIME}|56=|`), 4, 56, 'Tag specified without a value');
  assert.equal(check(`35=0|${H}112=|`, { validateFieldsHaveValues: false }), null);
});

test('enum values, unless AllowUnknownEnumValues=Y', { skip }, () => {
  expectReject(check(`35=D|${H}${NOS.replace('21=1', '21=4')}`), 5, 21, 'Value is incorrect (out of range) for this tag');
  expectReject(check(`35=D|${H}${NOS}167=BOO|`), 5, 167, 'Value is incorrect (out of range) for this tag');
  assert.equal(check(`35=D|${H}${NOS}167=CS|`), null);
  assert.equal(check(`35=D|${H}${NOS}167=BOO|`, { allowUnknownEnumValues: true }), null);
});

test('data format', { skip }, () => {
  expectReject(check(`35=D|${H}${NOS.replace('38=200.00', '38=+200.00')}`), 6, 38, 'Incorrect data format for value');
  expectReject(check(`35=D|${H}${NOS.replace(`60=${TIME}`, '60=2026-11-23')}`), 6, 60, 'Incorrect data format for value');
  expectReject(check(`35=0|34=x|49=TW44|52=${TIME}|56=ISLD|`), 6, 34, 'Incorrect data format for value');
});

test('header, body and trailer fields out of order, unless ValidateFieldsOutOfOrder=N', { skip }, () => {
  const body = `35=D|11=id|21=3|40=1|54=1|55=MSFT|60=${TIME}|34=2|49=TW44|52=${TIME}|56=ISLD|`;
  expectReject(check(body), 14, 34, 'Tag specified out of required order');
  assert.equal(check(body, { validateFieldsOutOfOrder: false }), null);
  // Body fields in any order are fine.
  assert.equal(check(`35=D|49=TW44|34=3|56=ISLD|52=${TIME}|40=1|55=MSFT|60=${TIME}|54=1|21=3|11=id|`), null);
});

test('repeated tag', { skip }, () => {
  expectReject(check(`35=D|${H}${NOS}40=2|`), 13, 40, 'Tag appears more than once');
});

test('repeating group count', { skip }, () => {
  const r = check(`35=D|${H}11=ID|21=1|40=1|54=1|38=200.00|55=INTC|386=3|336=PRE-OPEN|336=AFTER-HOURS|60=${TIME}|`);
  expectReject(r, 16, 386, 'Incorrect NumInGroup count for repeating group');
  assert.equal(check(`35=D|${H}11=ID|21=1|40=1|54=1|38=200.00|55=INTC|386=2|336=PRE-OPEN|336=AFTER-HOURS|60=${TIME}|`), null);
});

test('a group with zero entries is accepted', { skip }, () => {
  const sd = `35=d|${H}320=JCD1091-20021011|322=1034356488676|323=6|55=TBS|22=8|167=CS|336=ONE_MAIN|58=No Products|454=0|`;
  assert.equal(check(sd), null);
});

test('group members out of order, unless ValidateUnorderedGroupFields=N', { skip }, () => {
  const body = `35=D|${H}${NOS}453=1|448=BRK|452=1|447=D|`;
  expectReject(check(body), 15, 447, 'Repeating group fields out of order');
  assert.equal(check(body, { validateUnorderedGroupFields: false }), null);
});

test('required fields inside group entries (a custom dictionary)', () => {
  const xml = `<fix type='FIX' major='4' minor='4' servicepack='0'>
    <header><field name='BeginString' required='Y'/><field name='BodyLength' required='Y'/><field name='MsgType' required='Y'/>
      <field name='SenderCompID' required='Y'/><field name='TargetCompID' required='Y'/><field name='MsgSeqNum' required='Y'/><field name='SendingTime' required='Y'/></header>
    <trailer><field name='CheckSum' required='Y'/></trailer>
    <messages><message name='Basket' msgtype='U1' msgcat='app'><field name='BasketID' required='Y'/>
      <group name='NoLegs' required='Y'><field name='LegSymbol' required='Y'/><field name='LegQty' required='Y'/><field name='LegNote' required='N'/></group>
    </message></messages>
    <components/>
    <fields><field number='8' name='BeginString' type='STRING'/><field number='9' name='BodyLength' type='LENGTH'/><field number='35' name='MsgType' type='STRING'><value enum='U1' description='BASKET'/></field>
      <field number='49' name='SenderCompID' type='STRING'/><field number='56' name='TargetCompID' type='STRING'/><field number='34' name='MsgSeqNum' type='SEQNUM'/>
      <field number='52' name='SendingTime' type='UTCTIMESTAMP'/><field number='10' name='CheckSum' type='STRING'/>
      <field number='5001' name='BasketID' type='STRING'/><field number='5002' name='NoLegs' type='NUMINGROUP'/><field number='5003' name='LegSymbol' type='STRING'/>
      <field number='5004' name='LegQty' type='QTY'/><field number='5005' name='LegNote' type='STRING'/></fields></fix>`;
  const dict = parseDictionary(xml, 'custom.xml');
  const run = (body: string) => new MessageValidator(dict).validate(new Parser().parse(frame(`35=U1|${H}5001=B|${body}`)));
  assert.equal(run('5002=2|5003=A|5004=1|5003=B|5004=2|5005=x|'), null);
  expectReject(run('5002=2|5003=A|5004=1|5003=B|'), 1, 5004, 'Required tag missing');
  expectReject(run('5002=1|5003=A|5004=x|'), 6, 5004, 'Incorrect data format for value');
  expectReject(run(''), 1, 5002, 'Required tag missing');
});

test('invalid MsgType', { skip }, () => {
  expectReject(check(`35=*|${H}`), 11, undefined, 'Invalid MsgType');
});

test('FIX 4.2 dictionary', { skip }, () => {
  const h42 = `34=2|49=TW42|52=${TIME}|56=ISLD|`;
  assert.equal(check(`35=D|${h42}${NOS}`, {}, 'FIX42.xml', 'FIX.4.2'), null);
  expectReject(check(`35=D|${h42}${NOS.replace('21=1', '21=4')}`, {}, 'FIX42.xml', 'FIX.4.2'), 5, 21, 'Value is incorrect (out of range) for this tag');
});
