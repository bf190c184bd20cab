/**
 * Serves the web console: a page, a script and a style sheet shipped in the package (`console/`),
 * no CDN. The console reads `/api/events` (server-sent events) and calls the JSON API.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The console's folder in the package (the same from src/admin and dist/admin). */
export const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

export function registerConsole(app: FastifyInstance): void {
  for (const [url, { file, type }] of Object.entries(ASSETS)) {
    const body = readFileSync(CONSOLE_DIR + file);
    app.get(url, async (_req, reply) => reply.type(type).header('cache-control', 'no-cache').header('content-security-policy', "default-src 'self'").send(body));
  }
}
