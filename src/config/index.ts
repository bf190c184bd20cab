/** QuickFIX-format settings files and the same settings from TypeScript objects. */
export { parseSettings, loadSettings, settingsFromObject, SessionSettings, type Settings, type Located } from './settings.js';
export { SettingsError, formatProblem, type SettingsProblem, type Severity } from './problems.js';
export { SETTINGS, specOf, closestName, type SettingSpec, type ValueKind } from './setting-names.js';
export { checkValue } from './value-checks.js';
