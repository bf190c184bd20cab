/** Built-in applications for `fixover run --app <name>`. */
export { acceptanceApplication, type Sender, type AcceptanceOptions } from './acceptance.js';
export { executorApplication } from './executor.js';
export { logApplication } from './log.js';
