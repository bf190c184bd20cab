/**
 * The OpenAPI 3.1 document of the admin API, built from the schemas the server validates with
 * (api-schemas.ts). `docs/openapi.json` is this document (`npm run gen:openapi`; a test keeps it
 * equal); the server also serves it at `/api/openapi.json`.
 */
import { ROUTES, ERROR, type ApiRoute } from './api-schemas.js';

const PLAIN: Record<string, { summary: string; description: string; ok: string; content: string }> = {
  '/healthz': { summary: 'Alive', description: 'Answers 200 while the process serves HTTP.', ok: 'alive', content: 'application/json' },
  '/readyz': { summary: 'Ready', description: 'Answers 200 when the engine is running (stores open) with every acceptor listening; 503 before start, once drained or stopped.', ok: 'ready', content: 'application/json' },
  '/metrics': { summary: 'Prometheus metrics', description: 'Every metric in the Prometheus text format (see docs/operations.md).', ok: 'metrics', content: 'text/plain' },
  '/api/events': { summary: 'Live updates (server-sent events)', description: 'Events: hello (recent activity and audit), snapshot (node and sessions, every second), activity, audit.', ok: 'an event stream', content: 'text/event-stream' },
};

/** The OpenAPI document. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, p] of Object.entries(PLAIN)) {
    paths[path] = { get: { summary: p.summary, description: p.description, responses: { 200: { description: p.ok, content: { [p.content]: {} } }, ...(path === '/readyz' ? { 503: { description: 'not ready' } } : {}) } } };
  }
  for (const [name, r] of Object.entries(ROUTES) as Array<[string, ApiRoute]>) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const op: Record<string, unknown> = {
      operationId: name,
      summary: r.summary,
      responses: Object.fromEntries(Object.entries(r.response).map(([code, schema]) => [code, { description: code === '200' ? 'ok' : 'error', content: { 'application/json': { schema } } }])),
    };
    if (r.params) op.parameters = [{ name: 'id', in: 'path', required: true, schema: (r.params as { properties: { id: object } }).properties.id }];
    if (r.body) op.requestBody = { required: false, content: { 'application/json': { schema: r.body } } };
    if (r.changes) op.security = [{ adminToken: [] }];
    (paths[path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'fixover operations API',
      version: '1',
      description:
        'The HTTP interface of one fixover engine process (HttpAcceptPort). Changing operations (POST) need the admin token (HttpAdminToken or HttpAdminTokenFile) as a bearer token and are audited; X-Fixover-Operator names who does them. Request bodies are validated against these schemas: unknown properties and wrong types are refused with 400.',
    },
    components: { securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ERROR } },
    paths,
  };
}
