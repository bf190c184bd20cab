/**
 * Comparing a received message with an expected one. Strict (QuickFIX's runner): same number of
 * fields, same tag at every position, equal values except the tags of `fields.fmt`, whose value
 * must contain a match of the given pattern. Lenient (QuickFIX/J's runner): fields as a map, order
 * ignored, 9, 10, 52, 60 and 122 skipped, a received Text may extend the expected one.
 */
export type Mode = 'strict' | 'lenient';

/** Tag → pattern, from `fields.fmt` (`tag=regex` lines). */
export function parseFieldFormats(text: string): Map<string, RegExp> {
  const out = new Map<string, RegExp>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(\d+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], new RegExp(m[2]));
  }
  return out;
}

function split(buf: Buffer): Array<[string, string]> {
  return buf
    .toString('latin1')
    .split('\x01')
    .filter((f) => f.length > 0)
    .map((f) => {
      const i = f.indexOf('=');
      return [f.slice(0, i), f.slice(i + 1)];
    });
}

/** Null when the messages match, else what differs. */
export function compare(expected: Buffer, received: Buffer, mode: Mode, formats: ReadonlyMap<string, RegExp>): string | null {
  const e = split(expected);
  const r = split(received);
  if (mode === 'lenient') return compareLenient(e, r);
  if (e.length !== r.length) return `${r.length} fields received, ${e.length} expected`;
  for (let i = 0; i < e.length; i++) {
    const [et, ev] = e[i];
    const [rt, rv] = r[i];
    if (et !== rt) return `field ${i + 1}: tag ${rt} received, ${et} expected`;
    const pattern = formats.get(et);
    if (pattern ? !pattern.test(rv) : ev !== rv) return `tag ${et}: "${rv}" received, ${pattern ? `a match of /${pattern.source}/` : `"${ev}"`} expected`;
  }
  return null;
}

const LENIENT_SKIP = new Set(['9', '10', '52', '60', '122']);

function compareLenient(e: Array<[string, string]>, r: Array<[string, string]>): string | null {
  const got = new Map(r);
  for (const [t, v] of e) {
    if (LENIENT_SKIP.has(t)) continue;
    const rv = got.get(t);
    if (rv === undefined) return `tag ${t} missing`;
    if (t === '58' ? !rv.startsWith(v) : rv !== v) return `tag ${t}: "${rv}" received, "${v}" expected`;
  }
  return null;
}
