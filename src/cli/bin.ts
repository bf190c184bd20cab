/** Process entry of the `fixover` command: tunes the garbage collector, then runs `main` and sets the exit code. */
import { tuneGarbageCollector } from './gc.js';

tuneGarbageCollector();
// Loaded after the tuning, so that nothing the engine allocates grows the young generation first.
const { main } = await import('./main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fixover: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
