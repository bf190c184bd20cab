/**
 * Errors of the dictionary loader: a dictionary that cannot be used, and a dictionary path that
 * names neither an existing file nor a shipped dictionary.
 */
import { FixoverError } from '../codec/errors.js';

/** A dictionary that is malformed or inconsistent. The message names the file, line and element. */
export class DictionaryError extends FixoverError {
  /** The dictionary file, or '<string>' for a dictionary parsed from a string. */
  readonly file: string;
  /**
   * Where the problem is, as a path of elements, e.g.
   * `messages/message[@name='NewOrderSingle']/field[@name='Foo']`; `fix` for the root element and
   * `(document)` when the XML itself cannot be read.
   */
  readonly element: string;
  /** 1-based line of the element in the file, when known. */
  readonly line: number | undefined;
  /** The problem alone, without file and element. */
  readonly problem: string;

  constructor(file: string, element: string, problem: string, line?: number) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${element}: ${problem}`);
    this.file = file;
    this.element = element;
    this.line = line;
    this.problem = problem;
  }
}

/** A dictionary path that is neither an existing file nor the name of a shipped dictionary. */
export class DictionaryNotFoundError extends FixoverError {
  /** The path as given. */
  readonly path: string;
  /** The file names of the dictionaries shipped with the package. */
  readonly shipped: readonly string[];

  constructor(path: string, tried: string, shipped: readonly string[]) {
    super(`data dictionary not found: ${path} (looked for ${tried}); shipped dictionaries: ${shipped.join(', ')}`);
    this.path = path;
    this.shipped = shipped;
  }
}
