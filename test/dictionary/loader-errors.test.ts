/**
 * Broken dictionaries: every problem throws a DictionaryError whose message names the file, the
 * element (as a path) and, when known, the line. Fixtures are in test/fixtures/dictionary/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DictionaryError, loadDictionary, parseDictionary } from '../../src/dictionary/index.js';
import { FIXTURES, expectDictionaryError, type ExpectedError } from './helpers.js';

const NOS = "messages/message[@name='NewOrderSingle']";

/** Fixture file -> the error it must produce. */
const CASES: Record<string, Omit<ExpectedError, 'file'>> = {
  'undefined-field.xml': { element: `${NOS}/field[@name='Foo']`, problem: /field 'Foo' is not defined/, line: 11 },
  'duplicate-tag.xml': { element: "fields/field[@name='OrderID']", problem: /duplicate field number 11 .*ClOrdID/, line: 17 },
  'duplicate-name.xml': { element: "fields/field[@name='ClOrdID']", problem: /duplicate field name 'ClOrdID'/, line: 17 },
  'empty-group.xml': { element: `${NOS}/group[@name='NoAllocs']`, problem: /group has no members/, line: 11 },
  'no-msgtype.xml': { element: NOS, problem: /no msgtype attribute/, line: 10 },
  'undefined-component.xml': { element: `${NOS}/component[@name='Instrument']`, problem: /component 'Instrument' is not defined/, line: 11 },
  'component-cycle.xml': {
    element: "components/component[@name='Inner']/component[@name='Outer']",
    problem: /component cycle: Outer -> Inner -> Outer/,
    line: 20,
  },
  'nested-undefined-field.xml': {
    element: "components/component[@name='Parties']/group[@name='NoPartyIDs']/field[@name='PartyRole']",
    problem: /field 'PartyRole' is not defined/,
    line: 18,
  },
  'malformed.xml': { element: '(document)', problem: /malformed XML: .*closing tag/, line: 11 },
  'bad-required.xml': { element: `${NOS}/field[@name='ClOrdID']`, problem: /required='yes' must be Y or N/, line: 10 },
  'missing-trailer.xml': { element: 'fix', problem: /<trailer> section not found/, line: 1 },
  'wrong-root.xml': { element: 'dictionary', problem: /root element is <dictionary>, expected <fix>/, line: 2 },
  'bad-version.xml': { element: 'fix', problem: /type='FAST' must be FIX or FIXT/, line: 1 },
  'bad-field-number.xml': { element: "fields/field[@name='ClOrdID']", problem: /'x11' is not a positive integer/, line: 7 },
  'duplicate-msgtype.xml': { element: "messages/message[@name='OrderSingle']", problem: /msgtype 'D' is already used by message 'NewOrderSingle'/, line: 6 },
  'field-without-type.xml': { element: "fields/field[@name='BeginString']", problem: /no type attribute/, line: 6 },
};

for (const [file, expected] of Object.entries(CASES)) {
  test(`broken fixture ${file}`, () => {
    expectDictionaryError(() => loadDictionary(FIXTURES + file), { file: FIXTURES + file, ...expected });
  });
}

test('the message reads file:line: element: problem', () => {
  const e = expectDictionaryError(() => loadDictionary(`${FIXTURES}undefined-field.xml`), {
    file: `${FIXTURES}undefined-field.xml`,
    element: `${NOS}/field[@name='Foo']`,
    problem: /not defined/,
  });
  assert.equal(e.message, `${FIXTURES}undefined-field.xml:11: ${NOS}/field[@name='Foo']: field 'Foo' is not defined in <fields>`);
  assert.equal(e.name, 'DictionaryError');
  assert.ok(e instanceof Error);
});

test('a broken dictionary is not cached: loading it again fails again', () => {
  assert.throws(() => loadDictionary(`${FIXTURES}empty-group.xml`), DictionaryError);
  assert.throws(() => loadDictionary(`${FIXTURES}empty-group.xml`), DictionaryError);
});

test('parsing a string names <string> as the file', () => {
  expectDictionaryError(() => parseDictionary('<fix type="FIX" major="4" minor="2"><header/></fix>'), {
    file: '<string>',
    element: 'fix',
    problem: /<trailer> section not found/,
  });
  expectDictionaryError(() => parseDictionary('', 'empty.xml'), { file: 'empty.xml', element: '(document)', problem: /.+/ });
  expectDictionaryError(() => parseDictionary('<fix>\n<header>\n</fix>'), { file: '<string>', element: '(document)', problem: /malformed XML/, line: 3 });
});

/** A dictionary in a string, with the given members for NewOrderSingle and extra definitions. */
function dictionary(body: string, extra = ''): string {
  return `<fix type='FIX' major='4' minor='4'>
<header><field name='BeginString' required='Y'/></header>
<trailer><field name='CheckSum' required='Y'/></trailer>
<messages><message name='NewOrderSingle' msgtype='D' msgcat='app'>${body}</message></messages>
${extra}
<fields>
<field number='8' name='BeginString' type='STRING'/>
<field number='10' name='CheckSum' type='STRING'/>
<field number='11' name='ClOrdID' type='STRING'/>
<field number='78' name='NoAllocs' type='NUMINGROUP'/>
</fields>
</fix>`;
}

test('more problems, each named by element', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ["<component name='Self' required='Y'/>", "<components><component name='Self'><component name='Self' required='N'/></component></components>",
      "components/component[@name='Self']/component[@name='Self']", /component cycle: Self -> Self/],
    ["<field required='Y'/>", '', `${NOS}/field`, /<field> has no name attribute/],
    ["<field name='ClOrdID' required='Y'/><field name='ClOrdID' required='maybe'/>", '', `${NOS}/field[@name='ClOrdID']`, /required='maybe'/],
    ["<group name='NoAllocs' required='N'><component name='Empty' required='N'/></group>", "<components><component name='Empty'/></components>",
      `${NOS}/group[@name='NoAllocs']`, /group has no members/],
    ["<group name='NoSuch' required='N'><field name='ClOrdID'/></group>", '', `${NOS}/group[@name='NoSuch']`, /field 'NoSuch' is not defined/],
    ['', "<components><component name='A'/><component name='A'/></components>", "components/component[@name='A']", /defined more than once/],
    ['', "<components><component required='Y'/></components>", 'components/component', /no name attribute/],
    ['', '<fields/>', 'fields[2]', /<fields> appears more than once/],
  ];
  for (const [body, extra, element, problem] of cases) {
    expectDictionaryError(() => parseDictionary(dictionary(body, extra)), { file: '<string>', element, problem });
  }
});

test('values need an enum; field numbers must be positive', () => {
  const withField = (f: string): string => dictionary('').replace('</fields>', `${f}\n</fields>`);
  expectDictionaryError(() => parseDictionary(withField("<field number='54' name='Side' type='CHAR'><value description='BUY'/></field>")), {
    file: '<string>',
    element: "fields/field[@name='Side']/value",
    problem: /no enum attribute/,
  });
  expectDictionaryError(() => parseDictionary(withField("<field number='0' name='Zero' type='INT'/>")), {
    file: '<string>',
    element: "fields/field[@name='Zero']",
    problem: /not a positive integer/,
  });
  expectDictionaryError(() => parseDictionary(withField("<field number='-5' name='Neg' type='INT'/>")), {
    file: '<string>',
    element: "fields/field[@name='Neg']",
    problem: /not a positive integer/,
  });
  expectDictionaryError(() => parseDictionary(dictionary('').replace("minor='4'", "minor='four'")), {
    file: '<string>',
    element: 'fix',
    problem: /minor='four'/,
  });
  expectDictionaryError(() => parseDictionary(dictionary('').replace("major='4' ", '')), { file: '<string>', element: 'fix', problem: /no major attribute/ });
});

test('a file that cannot be read is a DictionaryError too', () => {
  expectDictionaryError(() => loadDictionary(FIXTURES), { file: FIXTURES.replace(/\/$/, ''), element: '(document)', problem: /cannot read/ });
});
