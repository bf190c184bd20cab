/** A cluster of acceptor nodes on a shared store: membership, rebalancing, status (docs/cluster.md). */
export { ClusterNode, type ClusterEngine } from './node.js';
export { clusterConfigFrom, ClusterSettingsError, type ClusterConfig } from './config.js';
export { describeClusterEvent, type ClusterEvent } from './events.js';
export { clusterFilter, isAlive, liveMembers, nextTopology, publishedMembers, topologyChange, type MemberRecord, type MemberState, type Topology, type TopologyChange, type TopologyMember } from './membership.js';
export { EMPTY_MEMORY, planMoves, withPending, type Move, type PendingMove, type Plan, type PlannerMemory, type RebalanceOptions } from './rebalance.js';
export { isApplicationType, moveDecision, msgTypeOf, refuseReturn, type HandedOver, type MoveDecision, type MoveTiming, type SessionActivity } from './safe-point.js';
export { ClusterDirectory, type MoveOrder, type MoveReason, type MoveRequest, type TopologyFile } from './cluster-directory.js';
export { checkMove, ClusterMoveError, type MoveCheck, type MoveRefusalCode } from './move-request.js';
export { StoreDiscovery, type DiscoveryOptions } from './discovery.js';
export { Coordinator, orderFinished, type CoordinatorOptions } from './rebalance-driver.js';
export { MoveDriver, type MoveDriverOptions } from './move-driver.js';
export { formatClusterStatus, readClusterStatus, type ClusterStatus } from './status.js';
export { applyPushedTopology, CLUSTER_MSG, CLUSTER_TAG, ClusterMessageError, parseTopologyFields, topologyFields, type ClientTopologyState, type Field, type PushedTopology, type TopologyDecision, type TopologyReason } from './topology.js';
