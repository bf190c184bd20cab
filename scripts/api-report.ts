/**
 * The API report: every name the package root exports (src/index.ts), its kind and its type, and
 * for classes and interfaces their public members, one line each, sorted; `(undocumented)` marks
 * an export without a TSDoc comment, `(internal)` a member marked `@internal` (visible in the
 * declarations, not for users). `docs/api-report.txt` is the checked-in report, compared by
 * test/library/api-report.test.ts so that every change to the public surface shows in review.
 *
 *   npm run api:report            writes docs/api-report.txt
 *   npm run api:report -- --check exits 1 when the report differs from the checked-in one
 */
import ts from 'typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const REPORT = `${root}docs/api-report.txt`;

function kindOf(s: ts.Symbol): string {
  const f = s.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

/** The API report of src/index.ts as text. */
export function apiReport(): string {
  const program = ts.createProgram([`${root}src/index.ts`], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, types: ['node'], skipLibCheck: true });
  const checker = program.getTypeChecker();
  const entry = checker.getSymbolAtLocation(program.getSourceFile(`${root}src/index.ts`)!)!;
  const flags = ts.TypeFormatFlags.NoTruncation;
  const lines: string[] = [];
  // Long literal types (route tables, tag maps) are shown by size only: their source is the review.
  const strip = (t: string): string => {
    const out = t.replace(/import\("[^"]*"(, \{[^)]*\})?\)\./g, '');
    return out.length > 400 ? `(a ${out.startsWith('{') ? 'literal object' : 'type'} of ${out.length} characters)` : out;
  };
  for (const exported of checker.getExportsOfModule(entry).sort((a, b) => a.name.localeCompare(b.name))) {
    const s = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = s.declarations?.[0];
    const kind = kindOf(s);
    const documented = (s.getDocumentationComment(checker).length > 0 || (decl !== undefined && ts.getJSDocTags(decl).length > 0)) ? '' : ' (undocumented)';
    let type = '';
    if (kind === 'function' || kind === 'const') type = `: ${strip(checker.typeToString(checker.getTypeOfSymbol(s), undefined, flags))}`;
    else if (kind === 'type' && decl) type = ` = ${strip(checker.typeToString(checker.getDeclaredTypeOfSymbol(s), undefined, flags | ts.TypeFormatFlags.InTypeAlias))}`;
    lines.push(`${kind} ${exported.name}${type}${documented}`);
    if ((kind === 'class' || kind === 'interface') && decl) {
      const members: string[] = [];
      const statics = kind === 'class' ? checker.getPropertiesOfType(checker.getTypeOfSymbol(s)).filter((m) => m.name !== 'prototype').map((m) => ['static ', m] as const) : [];
      const instance = checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(s)).map((m) => ['', m] as const);
      for (const [prefix, m] of [...statics, ...instance]) {
        const md = m.declarations?.[0];
        if (md && ts.getCombinedModifierFlags(md) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
        if (m.name.startsWith('#') || m.name.startsWith('__')) continue;
        // Members declared by this class or interface only: inherited ones show under their base.
        if (!md || !s.declarations!.some((d) => ts.findAncestor(md, (n) => n === d))) continue;
        const internal = m.getJsDocTags(checker).some((t) => t.name === 'internal') ? ' (internal)' : '';
        members.push(`  ${prefix}${m.name}: ${strip(checker.typeToString(checker.getTypeOfSymbol(m), undefined, flags))}${internal}`);
      }
      lines.push(...members.sort());
    }
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = apiReport();
  if (process.argv.includes('--check')) {
    const current = readFileSync(REPORT, 'utf8');
    if (current !== report) {
      process.stderr.write('docs/api-report.txt is out of date: run npm run api:report and review the change\n');
      process.exit(1);
    }
  } else {
    writeFileSync(REPORT, report);
    const undocumented = report.split('\n').filter((l) => l.endsWith('(undocumented)')).length;
    process.stdout.write(`docs/api-report.txt: ${report.split('\n').filter((l) => l && !l.startsWith(' ')).length} exports, ${undocumented} undocumented\n`);
  }
}
