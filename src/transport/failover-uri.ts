/**
 * Failover URIs, as ActiveMQ writes them:
 *
 *     failover:(tcp://primary:9876,tcp://[::1]:9877)?initialReconnectDelay=100&randomize=false
 *     failover:tcp://a:9876,tcp://b:9876?randomize=false     (parentheses optional)
 *     failover://(tcp://a:9876,tcp://b:9876)                  (the `//` form is accepted too)
 *     tcp://host:9876                                         (one endpoint, default options)
 *
 * Grammar and decisions:
 * - The options after `?` apply to the failover transport, in both the parenthesised and the bare
 *   list form. Per-endpoint options (`tcp://a:1?connectTimeout=5`) are only possible inside
 *   parentheses; they and `nested.*` become the endpoint's `options`, which the I/O layer checks.
 *   On a plain `tcp://host:port?…` URI the query is likewise the endpoint's options.
 * - Option names are case-sensitive, as ActiveMQ's: `InitialReconnectDelay` is refused with a
 *   hint naming `initialReconnectDelay`. Boolean values accept any case (`true`, `FALSE`).
 * - Values may be percent-encoded. An option given twice, or both `reconnectDelayExponent` and its
 *   alias `backOffMultiplier`, is an error.
 * - `ssl://`, `tls://` endpoints are refused: TLS is not available in fixover yet.
 * See {@link FAILOVER_OPTIONS} for every option and {@link FAILOVER_DEFAULTS} for the defaults.
 */
import { parseEndpointUri, parseQuery, type FailoverEndpoint } from './endpoint.js';
import { FailoverUriError } from './errors.js';
import { failoverConfig, type FailoverConfig, type FailoverConfigInit } from './failover-config.js';
import { applyFailoverOption } from './failover-options.js';

/** True when `text` is a `failover:` URI (as opposed to a plain endpoint URI). */
export function isFailoverUri(text: string): boolean {
  return /^\s*failover:/i.test(text);
}

/** Splits `failover:…` into the endpoint list text and the query text. */
function splitComposite(text: string): { list: string; query: string } {
  let rest = text.trim().replace(/^failover:/i, '').trim();
  if (rest.startsWith('//')) rest = rest.slice(2).trim();
  if (rest.startsWith('(')) {
    let depth = 0;
    for (let i = 0; i < rest.length; i++) {
      if (rest[i] === '(') depth++;
      else if (rest[i] === ')' && --depth === 0) {
        const after = rest.slice(i + 1).trim();
        if (after !== '' && !after.startsWith('?')) {
          throw new FailoverUriError(`unexpected "${after}" after the endpoint list of ${text.trim()}: expected ?option=value&…`);
        }
        return { list: rest.slice(1, i), query: after.slice(1) };
      }
    }
    throw new FailoverUriError(`${text.trim()}: the endpoint list has no closing parenthesis`);
  }
  if (rest.includes('(') || rest.includes(')')) throw new FailoverUriError(`${text.trim()}: unbalanced parentheses; expected failover:(tcp://host:port,…)?option=value`);
  const q = rest.indexOf('?');
  return q < 0 ? { list: rest, query: '' } : { list: rest.slice(0, q), query: rest.slice(q + 1) };
}

/**
 * Parses a failover URI (or a plain `tcp://host:port`) into a checked {@link FailoverConfig}.
 * Throws a {@link FailoverUriError} naming the option or endpoint at fault; for an unknown option
 * or a value out of a fixed set, the error's `valid` lists what is accepted.
 */
export function parseFailoverUri(text: string): FailoverConfig {
  if (!isFailoverUri(text)) {
    if (/^\s*[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) return failoverConfig({ uris: [parseEndpointUri(text)] });
    throw new FailoverUriError(`"${text.trim()}" is not a failover URI: expected failover:(tcp://host:port,…)?option=value&… or tcp://host:port`);
  }
  const { list, query } = splitComposite(text);
  const pairs = parseQuery(query, 'failover options');
  const seen = new Set<string>();
  const nested: Record<string, string> = {};
  for (const [name] of pairs) {
    if (seen.has(name)) throw new FailoverUriError(`failover option ${name} is given twice`, name);
    seen.add(name);
  }
  if (seen.has('reconnectDelayExponent') && seen.has('backOffMultiplier')) {
    throw new FailoverUriError('give reconnectDelayExponent or its alias backOffMultiplier, not both', 'backOffMultiplier');
  }
  for (const [name, value] of pairs) {
    if (!name.startsWith('nested.')) continue;
    const key = name.slice('nested.'.length);
    if (key === '') throw new FailoverUriError('failover option "nested." has no name after the prefix: expected nested.<option>=value', name);
    nested[key] = value;
  }
  const draft: { -readonly [K in keyof FailoverConfigInit]?: FailoverConfigInit[K] } = {};
  for (const [name, value] of pairs) if (!name.startsWith('nested.')) applyFailoverOption(name, value, draft, nested);
  const uris: FailoverEndpoint[] = [];
  for (const part of list.split(',')) {
    if (part.trim() === '') {
      if (list.trim() !== '') throw new FailoverUriError(`${text.trim()}: empty entry in the endpoint list`);
      continue;
    }
    uris.push(parseEndpointUri(part, nested));
  }
  return failoverConfig({ ...draft, uris, nested });
}
