import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupError, Parser } from '../../src/codec/index.js';
import { frame } from './helpers.js';
import { parties, schema } from './schema-fixture.js';

function scan(body: string) {
  const v = new Parser().parse(frame(`35=D|34=1|${body}`)).withSchema(schema);
  let at = -1;
  for (let i = 0; i < v.fieldCount; i++) if (v.tagAt(i) === 453) at = i;
  return v.scanGroup(at, parties);
}

test('entries are found by delimiter, nested groups included', () => {
  const r = scan('453=2|448=A|447=D|452=1|802=2|523=x|803=1|523=y|448=B|452=2|55=IBM|');
  assert.equal(r.error, undefined);
  assert.equal(r.entries.length, 2);
  assert.equal(r.entries[0].to - r.entries[0].from, 7);
  assert.equal(r.entries[1].to - r.entries[1].from, 2);
});

test('count mismatch names the count tag', () => {
  const r = scan('453=3|448=A|448=B|55=IBM|');
  assert.equal(r.error?.reason, 'count-mismatch');
  assert.equal(r.error?.countTag, 453);
  assert.equal(scan('453=1|448=A|448=B|').error?.reason, 'count-mismatch');
});

test('an entry that does not start with the delimiter is reported with the tag found', () => {
  const r = scan('453=1|452=1|448=A|');
  assert.equal(r.error?.reason, 'missing-delimiter');
  assert.equal(r.error?.tag, 452);
});

test('members out of the defined order are reported', () => {
  const r = scan('453=1|448=A|452=1|447=D|');
  assert.equal(r.error?.reason, 'out-of-order');
  assert.equal(r.error?.tag, 447);
});

test('errors in nested groups surface with the nested count tag', () => {
  const r = scan('453=1|448=A|802=2|523=x|');
  assert.equal(r.error?.reason, 'count-mismatch');
  assert.equal(r.error?.countTag, 802);
});

test('a member repeated inside an entry starts a new entry, as QuickFIX parses groups', () => {
  const r = scan('453=1|448=A|452=1|452=2|55=IBM|');
  assert.equal(r.entries.length, 2);
  assert.equal(r.error?.reason, 'missing-delimiter');
  const counted = scan('453=2|448=A|336=x|');
  assert.equal(counted.entries.length, 1);
  assert.equal(counted.next, 6);
});

test('a bad NumInGroup value is reported', () => {
  assert.equal(scan('453=x|448=A|').error?.reason, 'bad-count');
});

test('MessageView.groups throws the structural error', () => {
  const v = new Parser().parse(frame('35=D|34=1|453=2|448=A|')).withSchema(schema);
  assert.throws(() => v.groups(453), GroupError);
  assert.deepEqual(new Parser().parse(frame('35=D|34=1|')).withSchema(schema).groups(453), []);
});
