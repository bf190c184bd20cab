/** Message validation against data dictionaries with QuickFIX's switches and reject reasons. */
export * from './reject-reason.js';
export { MessageValidator, DEFAULT_VALIDATION, type ValidationOptions, type ValidationDictionary, type MemberSetLike, type Rejection } from './validator.js';
export { formatCheck } from './formats.js';
