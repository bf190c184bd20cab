/**
 * The transport options one failover endpoint accepts, given on the endpoint
 * (`tcp://host:port?connectTimeout=2000`) or for every endpoint as `nested.<option>` on the
 * failover URI. Checked when the configuration is built, so a bad option in a settings file is
 * reported with its file and line before anything connects.
 *
 * | option | value |
 * |---|---|
 * | `connectTimeout` (alias `connectionTimeout`) | ms to wait for TCP, ≥ 1 |
 * | `tcpNoDelay` | true/false |
 * | `keepAlive` | true/false |
 * | `localAddress` | address to bind the outgoing socket to |
 * | `localPort` | port to bind the outgoing socket to |
 */
import type { FailoverEndpoint } from './endpoint.js';
import { FailoverUriError } from './errors.js';

/** Option names an endpoint accepts (also as `nested.<name>` on the failover URI). */
export const ENDPOINT_OPTION_NAMES = ['connectTimeout', 'connectionTimeout', 'tcpNoDelay', 'keepAlive', 'localAddress', 'localPort'] as const;

/** The options set on an endpoint, parsed; absent ones are left to the session's settings. */
export interface EndpointOptionValues {
  connectTimeoutMs?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  localAddress?: string;
  localPort?: number;
}

/** Parses and checks `e.options`; throws a {@link FailoverUriError} naming an unknown or bad option. */
export function endpointOptionValues(e: FailoverEndpoint): EndpointOptionValues {
  const out: EndpointOptionValues = {};
  const bad = (name: string, raw: string, expected: string, valid?: readonly string[]): never => {
    throw new FailoverUriError(`endpoint option ${name}=${raw} of ${e.uri}: expected ${expected}`, name, valid);
  };
  for (const [name, raw] of Object.entries(e.options)) {
    switch (name) {
      case 'connectTimeout':
      case 'connectionTimeout':
        if (!/^\d+$/.test(raw) || Number(raw) < 1) bad(name, raw, 'a whole number of milliseconds ≥ 1');
        out.connectTimeoutMs = Number(raw);
        break;
      case 'tcpNoDelay':
      case 'keepAlive': {
        const v = raw.toLowerCase();
        if (v !== 'true' && v !== 'false') bad(name, raw, 'true or false', ['true', 'false']);
        if (name === 'tcpNoDelay') out.noDelay = v === 'true';
        else out.keepAlive = v === 'true';
        break;
      }
      case 'localAddress':
        if (raw.trim() === '') bad(name, raw, 'an address');
        out.localAddress = raw.trim();
        break;
      case 'localPort':
        if (!/^\d+$/.test(raw) || Number(raw) > 65535) bad(name, raw, 'a port number (0 to 65535)');
        out.localPort = Number(raw);
        break;
      default:
        throw new FailoverUriError(
          `unknown endpoint option "${name}" on ${e.uri} (given there or as nested.${name}); valid options: ${ENDPOINT_OPTION_NAMES.join(', ')}`,
          name,
          ENDPOINT_OPTION_NAMES,
        );
    }
  }
  return out;
}
