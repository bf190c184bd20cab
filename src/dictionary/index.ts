/**
 * QuickFIX XML data dictionaries: loading, the model (fields, header, trailer, messages, groups,
 * components) and the lookups validation makes on every message.
 */
export type { ComponentDef, FieldDef, GroupDef, MemberSet, MessageDef } from './model.js';
export { SESSION_MSG_TYPES } from './model.js';
export { DataDictionary, beginStringOf, type DictionaryParts } from './dictionary.js';
export { DictionaryError, DictionaryNotFoundError } from './errors.js';
export { KNOWN_FIELD_TYPES } from './fields.js';
export { DATA_TYPES } from './data-pairs.js';
export { parseDictionary } from './parse.js';
export {
  SHIPPED_DICTIONARIES,
  clearDictionaryCache,
  loadDictionary,
  packageRootDir,
  resolveDictionaryPath,
  shippedDictionaryPath,
} from './load.js';
export { SessionDictionaries, combineDictionaries } from './session-dictionaries.js';
