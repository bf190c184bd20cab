/**
 * Where the loader is in the document, for error messages that name the file, line and element
 * (`messages/message[@name='NewOrderSingle']/field[@name='Foo']`), and the warnings collected.
 */
import { DictionaryError } from './errors.js';
import type { XmlDocument, XmlElement } from './xml.js';

/** An element and the chain of elements above it (built cheaply; rendered only when needed). */
export interface Where {
  readonly up: Where | undefined;
  readonly el: XmlElement;
}

/** The attributes that identify an element in a path, in order of preference. */
const KEY_ATTRS = ['name', 'msgtype', 'number', 'enum'] as const;

/** One path step: `message[@name='NewOrderSingle']`, or `field[3]` when nothing identifies it. */
function step(where: Where): string {
  const { el, up } = where;
  for (const key of KEY_ATTRS) {
    const v = el.attrs[key];
    if (v !== undefined) return `${el.name}[@${key}='${v}']`;
  }
  if (!up) return el.name;
  const same = up.el.children.filter((c) => c.name === el.name);
  return same.length > 1 ? `${el.name}[${same.indexOf(el) + 1}]` : el.name;
}

/** The path of an element below the root (the root `fix` alone is named `fix`). */
export function pathOf(where: Where): string {
  const steps: string[] = [];
  for (let w: Where | undefined = where; w?.up; w = w.up) steps.push(step(w));
  return steps.length === 0 ? step(where) : steps.reverse().join('/');
}

/** The child position of `el` below `up`. */
export function below(up: Where, el: XmlElement): Where {
  return { up, el };
}

/** The file being loaded, its document and the warnings found so far. */
export class LoadContext {
  readonly warnings: string[] = [];

  constructor(
    readonly file: string,
    private readonly doc: XmlDocument,
  ) {}

  /** Throws a `DictionaryError` for the element. */
  fail(where: Where, problem: string): never {
    throw new DictionaryError(this.file, pathOf(where), problem, this.doc.lineOf(where.el));
  }

  /** Records a problem that does not stop loading. */
  warn(where: Where, problem: string): void {
    const line = this.doc.lineOf(where.el);
    this.warnings.push(`${this.file}${line === undefined ? '' : `:${line}`}: ${pathOf(where)}: ${problem}`);
  }
}
