/**
 * Socket options of one failover endpoint: the failover URI's `nested.*` options and the
 * endpoint's own query (`tcp://host:port?connectTimeout=2000`), over the session's settings.
 *
 * | option | value | default |
 * |---|---|---|
 * | `connectTimeout` (alias `connectionTimeout`) | ms to wait for TCP | `SocketConnectTimeout` (60 s) |
 * | `tcpNoDelay` | true/false | `SocketTcpNoDelay` (true) |
 * | `keepAlive` | true/false | `SocketKeepAlive` (false) |
 * | `localAddress`, `localPort` | bind the outgoing socket | `SocketLocalHost`, `SocketLocalPort` |
 */
import type { FailoverEndpoint } from '../transport/endpoint.js';
import { FailoverUriError } from '../transport/errors.js';
import type { DriverSocketDefaults } from './failover-driver.js';
import type { SocketOptions } from '../transport/socket-options.js';

export interface EndpointSocketOptions extends SocketOptions {
  connectTimeoutMs: number;
  noDelay: boolean;
  keepAlive: boolean;
  localAddress?: string;
  localPort?: number;
}

/** Option names an endpoint accepts (also as `nested.<name>` on the failover URI). */
export const ENDPOINT_OPTION_NAMES = ['connectTimeout', 'connectionTimeout', 'tcpNoDelay', 'keepAlive', 'localAddress', 'localPort'] as const;

/** The effective socket options of `e`; throws a {@link FailoverUriError} naming an unknown or bad option. */
export function endpointSocketOptions(e: FailoverEndpoint, d: DriverSocketDefaults): EndpointSocketOptions {
  const out: EndpointSocketOptions = { ...d };
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
        out.localAddress = raw;
        break;
      case 'localPort':
        if (!/^\d+$/.test(raw) || Number(raw) > 65535) bad(name, raw, 'a port number');
        out.localPort = Number(raw);
        break;
      default:
        throw new FailoverUriError(`unknown endpoint option "${name}" on ${e.uri} (given there or as nested.${name}); valid options: ${ENDPOINT_OPTION_NAMES.join(', ')}`, name, ENDPOINT_OPTION_NAMES);
    }
  }
  return out;
}
