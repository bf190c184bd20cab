/**
 * Real processes for failover tests: `fixover executor` acceptors sharing one store directory, and
 * `fixover client` listing both addresses. Everything runs on 127.0.0.1 and is killed at the end.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { once } from 'node:events';
import { start } from '../cli/cli.js';

export async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  srv.close();
  return port;
}

export interface Node {
  name: string;
  port: number;
  proc: ReturnType<typeof start>;
}

export class Cluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'fixover-failover-'));
  readonly nodes: Node[] = [];

  /** Writes the seed configuration for a node on the shared store. */
  executorConfig(name: string, port: number, leaseSeconds = 2): string {
    const file = join(this.dir, `${name}.cfg`);
    writeFileSync(
      file,
      `[default]\nFileStorePath=${join(this.dir, 'shared-store')}\nDataDictionary=etc/FIX42.xml\nBeginString=FIX.4.2\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nSocketAcceptPort=${port}\nRefreshMessageStoreAtLogon=Y\nNodeName=${name}\nSessionLeaseTimeout=${leaseSeconds}\n\n[session]\nSenderCompID=EXEC\nTargetCompID=BANZAI\n`,
    );
    return file;
  }

  /** Starts (or restarts) an executor process and waits until it listens. */
  async startNode(name: string, port: number): Promise<Node> {
    const proc = start(['executor', this.executorConfig(name, port)], this.dir);
    await proc.waitFor(/listening on \d+/);
    const node = { name, port, proc };
    this.nodes.push(node);
    return node;
  }

  /** The client settings: both addresses, QuickFIX style (SocketConnectHost1/Port1). */
  clientConfig(ports: number[]): string {
    const file = join(this.dir, 'client.cfg');
    const alternates = ports.slice(1).map((p, i) => `SocketConnectHost${i + 1}=127.0.0.1\nSocketConnectPort${i + 1}=${p}\n`).join('');
    writeFileSync(
      file,
      `[DEFAULT]\nConnectionType=initiator\nBeginString=FIX.4.2\nHeartBtInt=2\nReconnectInterval=1\nFileStorePath=${join(this.dir, 'client-store')}\nStartTime=00:00:00\nEndTime=00:00:00\n[SESSION]\nSenderCompID=BANZAI\nTargetCompID=EXEC\nSocketConnectHost=127.0.0.1\nSocketConnectPort=${ports[0]}\n${alternates}`,
    );
    return file;
  }

  killAll(): void {
    for (const n of this.nodes) n.proc.child.kill('SIGKILL');
  }
}
