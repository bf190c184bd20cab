/**
 * `fixover decode`: pretty-prints FIX messages with field names and enum meanings from a data
 * dictionary. Input is raw FIX (SOH separated) or log text with `|` or `^A` as separator, one
 * message per line, from files or standard input.
 */
import { readFile } from 'node:fs/promises';
import { Framer } from '../codec/framer.js';
import { Parser } from '../codec/parser.js';
import { CodecError } from '../codec/errors.js';
import type { MessageView } from '../codec/message-view.js';
import type { GroupSchema, MessageSchema } from '../codec/schema.js';

export interface DecodeOptions {
  /** Dictionary for names, enums and groups. */
  schema?: MessageSchema;
  /** Output one JSON object per message instead of text. */
  json?: boolean;
  /** Check BodyLength and CheckSum (default false: log files are often edited by hand). */
  strict?: boolean;
}

/** Turns log text into FIX bytes: `|` and `^A` become SOH. Raw input is returned as is. */
export function normaliseInput(input: Buffer): Buffer {
  if (input.includes(0x01)) return input;
  const text = input.toString('latin1').replace(/\^A/g, '|');
  const lines = text.split(/\r?\n/).filter((l) => l.includes('8=FIX'));
  return Buffer.from(lines.map((l) => l.slice(l.indexOf('8=FIX')).split('|').join('\x01')).join(''), 'latin1');
}

/** Decodes every message in `input` and returns the printed text. */
export function decodeToText(input: Buffer, options: DecodeOptions = {}): string {
  const out: string[] = [];
  const parser = new Parser({ validateChecksum: options.strict ?? false, validateLength: options.strict ?? false });
  const framer = new Framer({
    onFrame: (buf, start, end) => {
      const r = parser.tryParse(buf, start, end);
      if (r instanceof CodecError) {
        out.push(`! invalid message (${r.reason}): ${r.message}`);
        return;
      }
      r.withSchema(options.schema);
      out.push(options.json ? JSON.stringify(r.toJSON()) : render(r, options.schema));
    },
    onError: (e) => out.push(`! ${e.message}`),
  });
  framer.push(normaliseInput(input));
  return out.join('\n') + (out.length ? '\n' : '');
}

function describe(schema: MessageSchema | undefined, tag: number, value: string): string {
  const def = schema?.field(tag);
  const name = def ? `${def.name}` : '?';
  const meaning = def?.values?.get(value);
  return `${String(tag).padStart(5)} ${name.padEnd(24)} = ${value}${meaning ? ` (${meaning})` : ''}`;
}

function render(view: MessageView, schema: MessageSchema | undefined): string {
  const lines: string[] = [];
  const type = schema?.field(35)?.values?.get(view.msgType);
  lines.push(`${view.beginString} ${view.msgType}${type ? ` ${type}` : ''}`);
  let i = 0;
  const n = view.fieldCount;
  while (i < n) {
    const tag = view.tagAt(i);
    const group = schema?.group(view.msgType, tag);
    lines.push(`  ${describe(schema, tag, view.valueAt(i))}`);
    if (group) {
      i = renderGroup(view, schema!, i, group, '    ', lines);
      continue;
    }
    i++;
  }
  return lines.join('\n');
}

function renderGroup(view: MessageView, schema: MessageSchema, at: number, group: GroupSchema, indent: string, lines: string[]): number {
  const scan = view.scanGroup(at, group);
  scan.entries.forEach((e, k) => {
    lines.push(`${indent}[${k + 1}]`);
    let i = e.from;
    while (i < e.to) {
      const tag = view.tagAt(i);
      lines.push(`${indent}  ${describe(schema, tag, view.valueAt(i))}`);
      const nested = group.groups.get(tag);
      if (nested) {
        i = renderGroup(view, schema, i, nested, `${indent}    `, lines);
        continue;
      }
      i++;
    }
  });
  if (scan.error) lines.push(`${indent}! ${scan.error.message}`);
  return Math.max(scan.next, at + 1);
}

/** Reads files (or stdin when none) and decodes them. */
export async function readInputs(files: string[]): Promise<Buffer> {
  if (files.length === 0) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  return Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
}
