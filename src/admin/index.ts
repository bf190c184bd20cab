/** The operations HTTP interface: health, Prometheus metrics, the admin API and the web console. */
export { AdminServer, AdminError, type AdminServerOptions, type AdminCluster, type SessionInfo } from './server.js';
export { EngineMetrics, METRIC_PREFIX, RECOVERY_BUCKETS_S } from './metrics.js';
export { PROCESS_METRICS_LEVELS, type ProcessMetricsLevel } from './process-metrics.js';
export { ActivityFeed, ACTIVITY_KEPT, type ActivityEntry, type ActivityKind, type Rates } from './activity.js';
export { AuditLog, AUDIT_KEPT, type AuditEntry } from './audit.js';
export { classifyDisconnect, DISCONNECT_REASONS, type DisconnectReason } from './disconnect-reasons.js';
export { adminOptionsFrom } from './from-settings.js';
export { openApiDocument } from './openapi.js';
export { ROUTES as ADMIN_ROUTES, type ApiRoute } from './api-schemas.js';
export { AdminClient, AdminClientError, type AdminClientOptions } from './client.js';
export { type CertificateStatus, type TlsStatus, type TlsReloadReason } from './tls-status.js';
