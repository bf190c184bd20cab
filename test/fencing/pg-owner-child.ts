/** A process that takes a session's ownership in PostgreSQL and waits (killed by the test). */
import { PostgresDatabase } from '../../src/store/index.js';
import { PostgresOwnership } from '../../src/fencing/index.js';

const [url, schema, session] = process.argv.slice(2);
const own = new PostgresOwnership({ database: new PostgresDatabase({ url, schema }), session, node: 'child', leaseMs: 60_000 });
own.acquire().then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    setInterval(() => undefined, 1000);
  },
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
