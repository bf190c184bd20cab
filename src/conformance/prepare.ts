/**
 * Turning a script line into bytes: `<TIME>`, `<TIME+N>`, `<TIME-N>` become the UTC time
 * (YYYYMMDD-HH:MM:SS, shifted by N seconds); a line starting with `8=` gets `9=` after the
 * BeginString and `10=` at the end when it has none; anything else is sent as written.
 */
const SOH = '\x01';

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** UTC time as the scripts write it. */
export function scriptTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function substituteTime(text: string, now: number): string {
  return text.replace(/<TIME([+-]\d+)?>/g, (_m, off: string | undefined) => scriptTime(now + (off ? Number(off) * 1000 : 0)));
}

/** The bytes for a script message, with BodyLength and CheckSum added only where missing. */
export function prepareMessage(text: string, now: number): Buffer {
  const s = substituteTime(text, now);
  if (!s.startsWith('8=')) return Buffer.from(s, 'latin1');
  const fields = s.split(SOH);
  if (fields[fields.length - 1] === '') fields.pop();
  if (!fields.some((f) => f.startsWith('9='))) {
    const body = fields
      .slice(1)
      .filter((f) => !f.startsWith('10='))
      .map((f) => f + SOH)
      .join('');
    fields.splice(1, 0, `9=${Buffer.byteLength(body, 'latin1')}`);
  }
  let out = fields.map((f) => f + SOH).join('');
  if (!fields.some((f) => f.startsWith('10='))) {
    let sum = 0;
    for (const b of Buffer.from(out, 'latin1')) sum += b;
    out += `10=${String(sum % 256).padStart(3, '0')}${SOH}`;
  }
  return Buffer.from(out, 'latin1');
}
