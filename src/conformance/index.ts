/** A runner for QuickFIX acceptance-test scripts (`.def`), strict or lenient. */
export { parseDef, DefSyntaxError, type Step } from './def-file.js';
export { prepareMessage, substituteTime, scriptTime } from './prepare.js';
export { compare, parseFieldFormats, type Mode } from './match.js';
export { TestConnection, type Received } from './connection.js';
export { runDefFile, runSuite, defFiles, type FileResult, type RunOptions } from './runner.js';
