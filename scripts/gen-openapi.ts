/** Writes docs/openapi.json from the admin API's schemas (src/admin/api-schemas.ts). */
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/admin/openapi.js';

const file = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
