/** Test helpers: build FIX frames from `|`-separated text with BodyLength and CheckSum filled in. */
export function frame(body: string, beginString = 'FIX.4.4'): Buffer {
  const b = Buffer.from(body.replace(/\|/g, '\x01'), 'latin1');
  const head = Buffer.from(`8=${beginString}\x019=${b.length}\x01`, 'latin1');
  const msg = Buffer.concat([head, b]);
  let sum = 0;
  for (const x of msg) sum += x;
  return Buffer.concat([msg, Buffer.from(`10=${String(sum & 0xff).padStart(3, '0')}\x01`, 'latin1')]);
}

/** Text of a frame with `|` for SOH. */
export function text(buf: Buffer): string {
  return buf.toString('latin1').split('\x01').join('|');
}
