/** Problems found in settings: where, which setting, how bad, and what to do about it. */
import { FixoverError } from '../codec/errors.js';

export type Severity = 'error' | 'warning' | 'notice';

export interface SettingsProblem {
  readonly file: string;
  readonly line: number;
  readonly setting: string;
  readonly severity: Severity;
  readonly message: string;
}

/** `file:line: setting: message` — one line per problem. */
export function formatProblem(p: SettingsProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return `${where}: ${p.severity}: ${p.setting ? `${p.setting}: ` : ''}${p.message}`;
}

/** Settings with errors: the process must not start. Holds every problem found. */
export class SettingsError extends FixoverError {
  constructor(readonly problems: readonly SettingsProblem[]) {
    super(problems.filter((p) => p.severity === 'error').map(formatProblem).join('\n'));
  }
}
