/**
 * The `fixover` command line. Exit codes: 0 success, 1 runtime failure, 2 bad usage or settings,
 * 3 conformance failures.
 */
import { Command, CommanderError } from 'commander';
import { loadDictionary, resolveDictionaryPath } from '../dictionary/index.js';
import { decodeToText, readInputs } from './decode.js';

export const EXIT = { ok: 0, failure: 1, usage: 2, conformance: 3 } as const;

function program(): Command {
  const p = new Command('fixover')
    .description('fixover — a high-availability FIX engine for Node.js')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  p.command('decode')
    .description('pretty-print FIX messages (raw, or log lines with | or ^A) with field names from a dictionary')
    .argument('[files...]', 'input files (standard input when none)')
    .option('-d, --dict <path>', 'data dictionary: a file, or a shipped name such as FIX44.xml', 'FIX44.xml')
    .option('--json', 'one JSON object per message')
    .option('--strict', 'check BodyLength and CheckSum')
    .action(async (files: string[], opts: { dict: string; json?: boolean; strict?: boolean }) => {
      const schema = loadDictionary(resolveDictionaryPath(opts.dict));
      process.stdout.write(decodeToText(await readInputs(files), { schema, json: opts.json, strict: opts.strict }));
    });
  return p;
}

/** Runs the command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    process.stderr.write(`fixover: ${e instanceof Error ? e.message : String(e)}\n`);
    return (e as { exitCode?: number }).exitCode ?? EXIT.failure;
  }
}
