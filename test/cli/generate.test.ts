/**
 * `fixover generate <dict.xml> <outdir>`: typed messages from any dictionary, here a small custom
 * one. The output is compiled with tsc (strict) together with code that uses it, then run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fixover, ROOT } from './cli.js';
import { frame } from '../codec/helpers.js';

const DICT = `<fix type="FIX" major="4" minor="4" servicepack="0">
  <header>
    <field name="BeginString" required="Y"/><field name="BodyLength" required="Y"/><field name="MsgType" required="Y"/>
    <field name="SenderCompID" required="Y"/><field name="TargetCompID" required="Y"/><field name="MsgSeqNum" required="Y"/>
    <field name="SendingTime" required="Y"/>
  </header>
  <trailer><field name="CheckSum" required="Y"/></trailer>
  <messages>
    <message name="Heartbeat" msgtype="0" msgcat="admin"><field name="TestReqID" required="N"/></message>
    <message name="Quote" msgtype="S" msgcat="app">
      <field name="QuoteID" required="Y"/>
      <component name="Leg" required="N"/>
      <field name="Venue" required="N"/>
      <group name="NoLevels" required="Y">
        <field name="Px" required="Y"/>
        <field name="Size" required="N"/>
      </group>
    </message>
  </messages>
  <components>
    <component name="Leg"><field name="LegSymbol" required="Y"/><field name="LegSide" required="N"/></component>
  </components>
  <fields>
    <field number="8" name="BeginString" type="STRING"/><field number="9" name="BodyLength" type="LENGTH"/>
    <field number="35" name="MsgType" type="STRING"><value enum="0" description="HEARTBEAT"/><value enum="S" description="QUOTE"/></field>
    <field number="49" name="SenderCompID" type="STRING"/><field number="56" name="TargetCompID" type="STRING"/>
    <field number="34" name="MsgSeqNum" type="SEQNUM"/><field number="52" name="SendingTime" type="UTCTIMESTAMP"/>
    <field number="10" name="CheckSum" type="STRING"/><field number="112" name="TestReqID" type="STRING"/>
    <field number="117" name="QuoteID" type="STRING"/>
    <field number="5000" name="LegSymbol" type="STRING"/>
    <field number="5001" name="LegSide" type="CHAR"><value enum="B" description="BID"/><value enum="O" description="OFFER"/></field>
    <field number="5002" name="Venue" type="STRING"/>
    <field number="5003" name="NoLevels" type="NUMINGROUP"/><field number="5004" name="Px" type="PRICE"/><field number="5005" name="Size" type="QTY"/>
  </fields>
</fix>
`;

const USE = `import { crack, build, LegSide, Tags, type Quote } from './out/index.js';
import { Parser } from '${join(ROOT, 'src/codec/index.js')}';
export function levels(q: Quote): number[] {
  return q.NoLevels.map((l) => l.Px + (l.Size ?? 0));
}
export function run(bytes: Buffer): string {
  const m = build.Quote({ QuoteID: 'Q2', LegSymbol: 'X', LegSide: LegSide.Offer, NoLevels: [{ Px: 1.5 }] });
  // @ts-expect-error Px is required in a NoLevels entry
  build.Quote({ QuoteID: 'Q3', NoLevels: [{ Size: 1 }] });
  return crack(new Parser().parse(bytes), {
    Quote: (q) => \`\${q.QuoteID} \${q.LegSymbol ?? '-'} \${q.LegSide === LegSide.Bid ? 'bid' : 'offer'} \${levels(q).join(',')} \${Tags.Venue} \${m.body.get(5001)}\`,
  }, undefined);
}
`;

test('fixover generate writes typed messages of a custom dictionary that compile (strict) and read messages', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fixover-generate-'));
  try {
    writeFileSync(join(dir, 'custom.xml'), DICT);
    const runtime = join(ROOT, 'src/messages/runtime.js');
    const r = await fixover(['generate', join(dir, 'custom.xml'), join(dir, 'out'), '--runtime', runtime]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['fields.ts', 'index.ts', 'messages.ts']);
    assert.match(r.stdout, /out[\\/]messages\.ts/);
    writeFileSync(join(dir, 'use.ts'), USE);
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'), '--skipLibCheck', join(dir, 'use.ts')],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, `tsc: ${tsc.stdout}${tsc.stderr}`);
    const use = (await import(pathToFileURL(join(dir, 'use.ts')).href)) as { run: (b: Buffer) => string };
    const bytes = frame('35=S|49=A|56=B|34=2|52=20261123-06:00:00.000|117=Q1|5000=ABC|5001=B|5003=2|5004=10.5|5005=3|5004=11|');
    assert.equal(use.run(bytes), 'Q1 ABC bid 13.5,11 5002 O');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('fixover generate with a dictionary that does not exist fails with a clear error', async () => {
  const r = await fixover(['generate', 'nowhere/FIX99.xml', join(tmpdir(), 'fixover-never')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /data dictionary not found: nowhere\/FIX99\.xml/);
});
