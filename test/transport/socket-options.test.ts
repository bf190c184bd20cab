import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { applySocketOptions, socketBufferSizes } from '../../src/transport/socket-options.js';
import { socketOptionsFrom } from '../../src/engine/index.js';

test('socket options from settings: TCP_NODELAY on by default, buffer sizes in bytes', () => {
  assert.deepEqual(socketOptionsFrom({}), { noDelay: true, keepAlive: false, sendBufferSize: 0, receiveBufferSize: 0 });
  assert.deepEqual(socketOptionsFrom({ SocketNodelay: 'N', SocketKeepAlive: 'Y', SocketSendBufferSize: '65536', SocketReceiveBufferSize: '32768' }), {
    noDelay: false,
    keepAlive: true,
    sendBufferSize: 65536,
    receiveBufferSize: 32768,
  });
});

test('SocketSendBufferSize and SocketReceiveBufferSize change the kernel buffers of a real connection', { skip: process.platform !== 'linux' && 'buffer sizes are checked on Linux' }, async () => {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = (await accepted) as [net.Socket];
  try {
    const before = socketBufferSizes(client);
    assert.ok(before, 'getsockopt works here');
    // Linux doubles the value asked for (bookkeeping overhead) and reports the doubled size.
    assert.deepEqual(applySocketOptions(client, { sendBufferSize: 48 * 1024, receiveBufferSize: 24 * 1024 }), []);
    assert.deepEqual(socketBufferSizes(client), { send: 96 * 1024, receive: 48 * 1024 });
    assert.notDeepEqual(before, socketBufferSizes(client));
    assert.deepEqual(applySocketOptions(peer, { receiveBufferSize: 40 * 1024 }), []);
    assert.equal(socketBufferSizes(peer)?.receive, 80 * 1024);
    // Data still flows.
    const got = once(peer, 'data');
    client.write('ping');
    assert.equal(String((await got)[0]), 'ping');
  } finally {
    client.destroy();
    peer.destroy();
    server.close();
  }
});
