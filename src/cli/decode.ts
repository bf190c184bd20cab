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

/**
 * Splits the input into messages: raw FIX is framed by BodyLength and CheckSum; log text (no SOH)
 * is read one message per line, `|` and `^A` standing for SOH, from the first `8=FIX` on the line.
 */
export function splitMessages(input: Buffer, onMessage: (msg: Buffer) => void, onError: (text: string) => void): void {
  if (input.includes(0x01)) {
    const framer = new Framer({ onFrame: (b, s, e) => onMessage(b.subarray(s, e)), onError: (e) => onError(e.message) });
    framer.push(input);
    return;
  }
  for (const line of input.toString('latin1').split(/\r?\n/)) {
    const at = line.indexOf('8=FIX');
    if (at < 0) continue;
    onMessage(Buffer.from(line.slice(at).replace(/\^A/g, '|').split('|').join('\x01'), 'latin1'));
  }
}

/** Decodes every message in `input` and returns the printed text. */
export function decodeToText(input: Buffer, options: DecodeOptions = {}): string {
  const out: string[] = [];
  const parser = new Parser({ validateChecksum: options.strict ?? false, validateLength: options.strict ?? false });
  splitMessages(
    input,
    (msg) => {
      const r = parser.tryParse(msg);
      if (r instanceof CodecError) {
        out.push(`! invalid message (${r.reason}): ${r.message}`);
        return;
      }
      r.withSchema(options.schema);
      out.push(options.json ? JSON.stringify(r.toJSON()) : render(r, options.schema));
    },
    (text) => out.push(`! ${text}`),
  );
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
