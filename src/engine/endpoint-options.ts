/**
 * Socket options of one failover endpoint: its transport options (the failover URI's `nested.*`
 * and the endpoint's own query, see `src/transport/endpoint-options.ts`) over the session's
 * settings (`SocketConnectTimeout`, `SocketTcpNoDelay`, `SocketKeepAlive`, `SocketLocalHost/Port`).
 */
import type { FailoverEndpoint } from '../transport/endpoint.js';
import { endpointOptionValues } from '../transport/endpoint-options.js';
import type { DriverSocketDefaults } from './failover-driver.js';
import type { SocketOptions } from '../transport/socket-options.js';

export { ENDPOINT_OPTION_NAMES } from '../transport/endpoint-options.js';

/** Socket options of one failover endpoint (from its URI's query). */
export interface EndpointSocketOptions extends SocketOptions {
  connectTimeoutMs: number;
  noDelay: boolean;
  keepAlive: boolean;
  localAddress?: string;
  localPort?: number;
}

/** The effective socket options of `e`; throws a `FailoverUriError` naming an unknown or bad option. */
export function endpointSocketOptions(e: FailoverEndpoint, d: DriverSocketDefaults): EndpointSocketOptions {
  const out: EndpointSocketOptions = { ...d };
  const v = endpointOptionValues(e);
  if (v.connectTimeoutMs !== undefined) out.connectTimeoutMs = v.connectTimeoutMs;
  if (v.noDelay !== undefined) out.noDelay = v.noDelay;
  if (v.keepAlive !== undefined) out.keepAlive = v.keepAlive;
  if (v.localAddress !== undefined) out.localAddress = v.localAddress;
  if (v.localPort !== undefined) out.localPort = v.localPort;
  return out;
}
