/**
 * The JSON schemas of the admin API: the server validates requests against them (fastify's
 * built-in validation, unknown properties refused) and `docs/openapi.json` is generated from them
 * (`npm run gen:openapi`), so the documentation cannot drift from what is enforced.
 */

const text = { type: 'string', maxLength: 1000, description: 'Text for the Logout (58) / the log' } as const;

/** The `{ text? }` body of logout, disconnect, reset and drain. */
export const TEXT_BODY = {
  type: 'object',
  additionalProperties: false,
  properties: { text },
} as const;

/** 1 to 4294967295, what a store holds. */
const seq = { type: 'integer', minimum: 1, maximum: 4294967295 } as const;

/** The body of set-sequence-numbers: at least one of the two numbers. */
export const SEQ_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    nextSender: { ...seq, description: 'MsgSeqNum of the next message this side sends' },
    nextTarget: { ...seq, description: 'MsgSeqNum expected on the next message from the counterparty' },
  },
} as const;

export const SESSION_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 300, description: 'Session ID, e.g. FIX.4.2:EXEC->BANZAI (URL-encoded)' } },
} as const;

export const ERROR = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: {
      type: 'string',
      description:
        'A code: bad_request, unauthorized, forbidden, not_found, owned_elsewhere (409: another live node owns the session), internal; for a move: not_in_cluster (409), unknown_node (404), target_not_active (409), session_not_held (409), already_there (409), already_moving (409); for a TLS reload: no_tls (409: the node serves no TLS), tls_reload_failed (409, with reasons)',
    },
    message: { type: 'string' },
  },
} as const;

export const SESSION_INFO = {
  type: 'object',
  required: ['sessionId', 'role', 'connected', 'loggedOn', 'nextSenderSeq', 'nextTargetSeq', 'ownerEpoch', 'messagesIn', 'messagesOut', 'queuedOutBytes', 'queuedAboveGap', 'inSchedule', 'faults'],
  properties: {
    sessionId: { type: 'string' },
    role: { type: 'string', enum: ['initiator', 'acceptor'] },
    connected: { type: 'boolean' },
    loggedOn: { type: 'boolean' },
    nextSenderSeq: { type: 'integer' },
    nextTargetSeq: { type: 'integer' },
    node: { type: 'string', description: "This node's name in the session's ownership" },
    ownerEpoch: { type: 'integer', description: "This node's ownership epoch (0: not owned here, or no ownership)" },
    owner: {
      type: 'object',
      description: 'The owner recorded in the shared store (absent without ownership or before any)',
      properties: { node: { type: 'string' }, epoch: { type: 'integer' }, renewedAt: { type: 'integer', description: 'ms since the epoch' }, leaseMs: { type: 'integer' } },
    },
    remoteAddress: { type: 'string' },
    lastReceivedAt: { type: 'integer', description: 'ms since the epoch' },
    lastSentAt: { type: 'integer', description: 'ms since the epoch' },
    messagesIn: { type: 'integer' },
    messagesOut: { type: 'integer' },
    inRate: { type: 'number', description: 'Messages received per second (last seconds)' },
    outRate: { type: 'number', description: 'Messages sent per second (last seconds)' },
    queuedOutBytes: { type: 'integer' },
    queuedAboveGap: { type: 'integer' },
    inSchedule: { type: 'boolean' },
    faults: { type: 'integer' },
  },
} as const;

export const NODE_STATUS = {
  type: 'object',
  required: ['node', 'pid', 'phase', 'ready', 'listeningPorts', 'sessions', 'loggedOn'],
  properties: {
    node: { type: 'string' },
    pid: { type: 'integer' },
    phase: { type: 'string', enum: ['created', 'running', 'draining', 'stopped'] },
    ready: { type: 'boolean' },
    startedAt: { type: 'integer' },
    listeningPorts: { type: 'array', items: { type: 'integer' } },
    sessions: { type: 'integer' },
    loggedOn: { type: 'integer' },
  },
} as const;

export const ACTIVITY = {
  type: 'object',
  required: ['at', 'kind', 'text'],
  properties: {
    at: { type: 'integer' },
    session: { type: 'string' },
    kind: { type: 'string', enum: ['logon', 'logout', 'disconnect', 'failover', 'reject', 'error', 'ownership', 'operation'] },
    text: { type: 'string' },
  },
} as const;

export const AUDIT = {
  type: 'object',
  required: ['at', 'who', 'remote', 'action', 'target', 'outcome'],
  properties: {
    at: { type: 'string', description: 'ISO 8601 time' },
    who: { type: 'string', description: 'The operator named by the X-Fixover-Operator header (else "unnamed"), authenticated by the token' },
    remote: { type: 'string' },
    action: { type: 'string' },
    target: { type: 'string' },
    detail: { type: 'string' },
    outcome: { type: 'string' },
  },
} as const;

/** The body of a move: the target node. */
export const MOVE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['node'],
  properties: { node: { type: 'string', minLength: 1, maxLength: 200, description: "The target node's name (NodeName), an active member of the cluster" } },
} as const;

/** A move request as left for the coordinator. */
export const MOVE_REQUEST = {
  type: 'object',
  required: ['session', 'from', 'to', 'by', 'at'],
  properties: {
    session: { type: 'string' },
    from: { type: 'string', description: 'The node holding the session when asked' },
    to: { type: 'string', description: 'The target node' },
    by: { type: 'string', description: 'The operator who asked' },
    at: { type: 'integer', description: 'When it was asked, ms since the epoch' },
  },
} as const;

/** A cluster member's status (docs/cluster.md): members, topology, coordinator, moves in progress, who holds each session. */
export const CLUSTER_STATUS = {
  type: 'object',
  required: ['cluster', 'joined', 'members', 'moves', 'sessions'],
  properties: {
    cluster: { type: 'string', description: 'ClusterName' },
    joined: { type: 'boolean', description: 'This node is registered as a member' },
    members: { type: 'array', items: { type: 'object', additionalProperties: true, description: 'A member record: node, URIs, state (joining, active, draining), weight, sessions held, lease' } },
    topology: { type: 'object', additionalProperties: true, description: 'The published topology and its epoch' },
    coordinator: { type: 'object', additionalProperties: true, description: "The coordinator lease's owner record" },
    moves: { type: 'array', items: { type: 'object', additionalProperties: true, description: 'A move order: session, from, to, reason, deadline' } },
    sessions: { type: 'array', items: { type: 'object', additionalProperties: true, description: 'A session and its owner record' } },
  },
} as const;

/** An own certificate in use: one per file, however many ports or sessions use it. */
export const CERTIFICATE = {
  type: 'object',
  required: ['path', 'setting', 'subject', 'notBefore', 'notAfter', 'daysLeft'],
  properties: {
    path: { type: 'string', description: 'The file it was read from' },
    setting: { type: 'string', description: 'The setting naming the file, e.g. ServerCertificateFile' },
    subject: { type: 'string' },
    notBefore: { type: 'string', description: 'ISO 8601 time' },
    notAfter: { type: 'string', description: 'ISO 8601 time: when it expires' },
    daysLeft: { type: 'integer', description: 'Whole days until it expires (negative: expired)' },
    warning: { type: 'string', description: 'The expiry warning, when it expires within CertificateExpiryWarningDays (default 30) or has expired' },
  },
} as const;

/** The TLS of a node: the certificates in use, the expiry warnings, the failed handshakes. */
export const TLS_STATUS = {
  type: 'object',
  required: ['tls', 'certificates', 'warnings', 'handshakeFailures'],
  properties: {
    tls: { type: 'boolean', description: 'Some acceptor port or initiator session uses TLS (SocketUseSSL)' },
    certificates: { type: 'array', items: CERTIFICATE },
    warnings: { type: 'array', items: { type: 'string' }, description: 'Certificates that expire soon or have expired (also printed at start-up and daily)' },
    handshakeFailures: { type: 'integer', description: 'Failed TLS handshakes since start' },
  },
} as const;

/** A refused TLS reload: the error and, per file that failed, why (the certificates in use stay). */
export const TLS_RELOAD_ERROR = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    ...ERROR.properties,
    reasons: {
      type: 'array',
      description: 'Each file that could not be used; the certificates in use stay',
      items: {
        type: 'object',
        required: ['problem'],
        properties: { file: { type: 'string' }, setting: { type: 'string' }, problem: { type: 'string' } },
      },
    },
    tls: { ...TLS_STATUS, description: 'What is in use after the refused reload' },
  },
} as const;

/** A body with nothing in it (`{}`, or none). */
export const EMPTY_BODY = { type: 'object', additionalProperties: false, properties: {} } as const;

const ok = { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, session: SESSION_INFO } } as const;

const errors = { 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR } as const;

/** One route of the admin API, for the server and the OpenAPI document. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  /** fastify's form (`:id`). */
  readonly url: string;
  readonly summary: string;
  /** A changing operation: needs the admin token, and is audited. */
  readonly changes: boolean;
  readonly params?: object;
  readonly body?: object;
  readonly response: Record<number, object>;
}

/**
 * Every route of the JSON admin API with its method, path, parameters, request body and responses
 * (JSON Schema): the server validates requests with it and `docs/openapi.json` is generated from it.
 */
export const ROUTES = {
  node: { method: 'GET', url: '/api/node', summary: "This node's status", changes: false, response: { 200: NODE_STATUS } },
  drain: {
    method: 'POST',
    url: '/api/node/drain',
    summary: 'Drain this node: stop accepting connections, log every session out (with the text), stop initiators reconnecting; /readyz answers 503 from then on',
    changes: true,
    body: TEXT_BODY,
    response: { 200: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, node: NODE_STATUS } }, ...errors },
  },
  tls: { method: 'GET', url: '/api/node/tls', summary: "This node's TLS: the own certificates in use with their expiry, the expiry warnings, the failed handshakes", changes: false, response: { 200: TLS_STATUS } },
  reloadTls: {
    method: 'POST',
    url: '/api/node/tls/reload',
    summary:
      'Read every certificate, key and trust file again (as SIGHUP does); new connections use them, open ones keep theirs. Answers with the certificates now in use; when a file is bad, 409 with each reason (file, setting, problem) and that port or session keeps the certificates in use; 409 no_tls on a node without TLS',
    changes: true,
    body: EMPTY_BODY,
    response: { 200: { type: 'object', required: ['ok', 'tls'], properties: { ok: { type: 'boolean' }, tls: TLS_STATUS } }, ...errors, 409: TLS_RELOAD_ERROR },
  },
  cluster: { method: 'GET', url: '/api/cluster', summary: "The cluster this node is a member of: members and their state, topology epoch, coordinator, moves in progress, and which node holds each session (404 when the node is no cluster member)", changes: false, response: { 200: CLUSTER_STATUS, 404: ERROR } },
  sessions: {
    method: 'GET',
    url: '/api/sessions',
    summary: 'Every session with its state',
    changes: false,
    response: { 200: { type: 'object', required: ['sessions'], properties: { sessions: { type: 'array', items: SESSION_INFO } } } },
  },
  session: { method: 'GET', url: '/api/sessions/:id', summary: 'One session', changes: false, params: SESSION_PARAMS, response: { 200: SESSION_INFO, 404: ERROR } },
  logout: { method: 'POST', url: '/api/sessions/:id/logout', summary: 'Send a Logout (with the text); the connection ends when it is answered or LogoutTimeout passes', changes: true, params: SESSION_PARAMS, body: TEXT_BODY, response: { 200: ok, ...errors } },
  disconnect: { method: 'POST', url: '/api/sessions/:id/disconnect', summary: 'Close the connection at once (no Logout)', changes: true, params: SESSION_PARAMS, body: TEXT_BODY, response: { 200: ok, ...errors } },
  reset: {
    method: 'POST',
    url: '/api/sessions/:id/reset',
    summary: 'Reset: Logout (with the text) when logged on, disconnect, both sequence numbers back to 1 and the store reset',
    changes: true,
    params: SESSION_PARAMS,
    body: TEXT_BODY,
    response: { 200: ok, ...errors },
  },
  setSeq: {
    method: 'POST',
    url: '/api/sessions/:id/sequence-numbers',
    summary: 'Set the next sender and/or target sequence numbers (stored before the answer)',
    changes: true,
    params: SESSION_PARAMS,
    body: SEQ_BODY,
    response: { 200: ok, ...errors },
  },
  move: {
    method: 'POST',
    url: '/api/sessions/:id/move',
    summary:
      "Move the session to another node of the cluster (docs/cluster.md, \"Moving a session by hand\"): asked from any member; the coordinator orders it at its next turn, the node holding it hands it over at a safe point (a fixover client is told to reconnect to the target, any other is logged out with a Logout naming it); it then stays on the target for RebalanceMinStay. Answered (202) once the request is left; follow it in /api/cluster",
    changes: true,
    params: SESSION_PARAMS,
    body: MOVE_BODY,
    response: { 202: { type: 'object', required: ['ok', 'move'], properties: { ok: { type: 'boolean' }, move: MOVE_REQUEST } }, ...errors },
  },
  refresh: { method: 'POST', url: '/api/sessions/:id/refresh', summary: 'Reload sequence numbers and the message index from the store', changes: true, params: SESSION_PARAMS, body: TEXT_BODY, response: { 200: ok, ...errors } },
  activity: {
    method: 'GET',
    url: '/api/activity',
    summary: 'Recent logons, logouts, disconnects, failovers, rejects, errors and operations (newest last)',
    changes: false,
    response: { 200: { type: 'object', required: ['activity'], properties: { activity: { type: 'array', items: ACTIVITY } } } },
  },
  audit: {
    method: 'GET',
    url: '/api/audit',
    summary: 'Recent changing operations: who, what, when, outcome (newest last)',
    changes: false,
    response: { 200: { type: 'object', required: ['audit'], properties: { audit: { type: 'array', items: AUDIT } } } },
  },
} as const satisfies Record<string, ApiRoute>;
