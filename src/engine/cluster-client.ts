/**
 * The initiator side of a cluster's messages (docs/cluster.md), a thin driver: a session with
 * `clusterClient` hands incoming ClusterTopology (U1) and ReconnectTo (U2) messages over as
 * `cluster-message` events; the pure decisions of `src/cluster/topology.ts` say what to do, and
 * the failover driver does it (pushed URIs in front of the configured ones; a move to the target).
 */
import type { Session } from './session.js';
import type { FailoverDriver } from './failover-driver.js';
import type { FailoverEvent } from '../transport/policy-types.js';
import type { SessionEventListener } from '../log/session-events.js';
import { CLUSTER_MSG, applyPushedTopology, parseReconnectFields, parseTopologyFields, type ClientTopologyState } from '../cluster/topology.js';

/** Follows the cluster messages of one initiator session; `onEvent` receives `topologyRefused`. */
export function followCluster(session: Session, driver: FailoverDriver, onEvent: (e: FailoverEvent) => void): void {
  let state: ClientTopologyState = { cluster: undefined, epoch: 0 };
  const note = (text: string): void => void session.emit('event', { kind: 'note', text });
  const listener: SessionEventListener = (e) => {
    if (e.kind !== 'cluster-message') return;
    try {
      if (e.msgType === CLUSTER_MSG.topology) {
        const pushed = parseTopologyFields(e.fields);
        // The node's session lease: a node silent for half of it is left (a TestRequest first), so
        // a paused node is escaped by the time its lease lets another node take the session.
        if (pushed.sessionLeaseMs !== undefined && (state.cluster === undefined || state.cluster === pushed.cluster)) session.core.watchSilence(Math.round(pushed.sessionLeaseMs / 2));
        const d = applyPushedTopology(state, pushed, []);
        if (d.kind === 'refused') onEvent({ type: 'topologyRefused', reason: d.reason });
        else if (d.kind === 'stale') note(`cluster topology epoch ${d.epoch} ignored: epoch ${d.current} is applied`);
        else {
          state = d.state;
          driver.pushUris(d.uris);
          note(`cluster ${d.state.cluster} topology epoch ${d.state.epoch}: ${d.uris.join(',') || 'no members'}`);
        }
      } else if (e.msgType === CLUSTER_MSG.reconnectTo) {
        const r = parseReconnectFields(e.fields);
        note(`asked to reconnect to node ${r.node} (${r.reason}, by ${new Date(r.deadline).toISOString()}): ${r.uris.join(',')}`);
        const uri = r.uris[0];
        if (uri === undefined || !driver.reconnectTo(uri)) note(`cannot reconnect to node ${r.node}; the node will log this session out`);
      }
    } catch (err) {
      session.emit('event', { kind: 'error', text: `cluster message ${e.msgType} refused: ${err instanceof Error ? err.message : String(err)}` });
    }
  };
  // Incoming messages are not copied for this listener: it only wants cluster-message events.
  listener.wantsIncoming = false;
  session.on('event', listener);
  // The silence watch is the node's: the next connection (perhaps to a configured non-member) starts
  // without it, until that node's topology says its lease.
  session.on('disconnected', () => session.core.watchSilence(0));
}
