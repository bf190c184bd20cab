/** Problems found in settings: where, which setting, how bad, and what to do about it. */
import { FixoverError } from '../codec/errors.js';

/** How bad a settings problem is: an `error` stops the start; a `warning` (an unknown name, a setting set twice) and a `notice` (a setting without effect, a fallback) are reported. */
export type Severity = 'error' | 'warning' | 'notice';

/** One problem found in settings: the file and line, the setting (empty for a line that is no setting), how bad, and what is wrong or valid. */
export interface SettingsProblem {
  /** The settings file (or `<string>`, `<object>` for settings not read from a file). */
  readonly file: string;
  /** 1-based line number; 0 when the problem belongs to no line. */
  readonly line: number;
  /** The setting's name as written, or empty. */
  readonly setting: string;
  readonly severity: Severity;
  /** What is wrong and what is valid. */
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
