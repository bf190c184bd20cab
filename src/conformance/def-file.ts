/**
 * The `.def` script format of QuickFIX's acceptance suite: one step a line, fields separated by
 * real SOH bytes. `i`/`I` lines are what the runner does and sends, `e`/`E` what it expects.
 */
export type Step =
  | { readonly kind: 'connect'; readonly conn: string; readonly line: number }
  | { readonly kind: 'disconnect'; readonly conn: string; readonly line: number }
  | { readonly kind: 'send'; readonly conn: string; readonly text: string; readonly line: number }
  | { readonly kind: 'expect'; readonly conn: string; readonly text: string; readonly line: number }
  | { readonly kind: 'expect-disconnect'; readonly conn: string; readonly line: number };

export class DefSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    text: string,
  ) {
    super(`${file}:${line}: cannot read step: ${text}`);
  }
}

/** Parses a `.def` script (latin1 text). */
export function parseDef(text: string, file = '<def>'): Step[] {
  const steps: Step[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw === '' || raw.startsWith('#')) return;
    const m = /^([iIeE])(?:(\d),)?(.*)$/s.exec(raw);
    if (!m) throw new DefSyntaxError(file, line, raw);
    const [, op, id, rest] = m;
    const conn = id ?? '1';
    if (op === 'i' && rest === 'CONNECT') steps.push({ kind: 'connect', conn, line });
    else if (op === 'i' && rest === 'DISCONNECT') steps.push({ kind: 'disconnect', conn, line });
    else if (op === 'e' && rest === 'DISCONNECT') steps.push({ kind: 'expect-disconnect', conn, line });
    else if (op === 'I') steps.push({ kind: 'send', conn, text: rest, line });
    else if (op === 'E') steps.push({ kind: 'expect', conn, text: rest, line });
    else throw new DefSyntaxError(file, line, raw);
  });
  return steps;
}
