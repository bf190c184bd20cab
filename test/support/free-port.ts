/** A TCP port on 127.0.0.1 that was free a moment ago (listen on 0, read it, close). */
import net from 'node:net';
import { once } from 'node:events';

export async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  await once(srv, 'close');
  return port;
}
