import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { getMetadataStorage } from 'class-validator';
import ts from 'typescript';
import { DOCS_DIR, ERRORS_PAGE, Guide } from './guide';
import { pluginSourceFiles } from './plugin-metadata';
import { DOCUMENTATION_CONSTRAINTS } from './request-strictness';

const root = path.resolve(__dirname, '../../../..');
const CODE = /^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/;

/** What an error class answers over HTTP (apps/api/src/http/problem.ts). */
const STATUS_OF_ERROR: Record<string, number> = {
  ValidationError: 400,
  NotFoundError: 404,
  ConflictError: 409,
  InvalidStateError: 409,
  DomainError: 422,
  UnauthorizedProblem: 401,
  ForbiddenProblem: 403,
};

interface Found {
  readonly code: string;
  /** Known when the code is given straight to an error's constructor; otherwise the page's word is taken. */
  readonly status?: number;
  readonly where: string;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        // Test doubles raise nothing a client sees.
        if (!['testing', 'node_modules', 'dist'].includes(entry.name)) walk(file);
      } else if (entry.name.endsWith('.ts') && !/\.(spec|d|data)\.ts$/.test(entry.name) && !entry.name.includes('.contract.')) {
        // `*.data.ts` are fixtures of specs (stored documents, official examples): their event names are no codes.
        files.push(file);
      }
    }
  };
  for (const pkg of fs.readdirSync(path.join(root, 'packages'))) if (fs.existsSync(path.join(root, 'packages', pkg, 'src'))) walk(path.join(root, 'packages', pkg, 'src'));
  walk(path.join(root, 'apps', 'api', 'src'));
  return files;
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return `${ts.isIdentifier(callee.expression) ? `${callee.expression.text}.` : ''}${callee.name.text}`;
  return callee.kind === ts.SyntaxKind.SuperKeyword ? 'super' : '';
}

function baseClassOf(node: ts.Node): string | undefined {
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (ts.isClassDeclaration(current)) {
      const heritage = current.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      return heritage && ts.isIdentifier(heritage) ? heritage.text : undefined;
    }
  }
  return undefined;
}

/**
 * Parameters whose arguments are places in a document, never codes: the semantic pointer of an EN 16931 finding
 * (`finding(rule, message, term, pointer)`, `lines[2].netAmount`, `buyer.name`).
 */
const PLACE_PARAMETERS = new Set(['pointer']);

/** Each file's functions (declarations, and constants holding an arrow function or function expression) with their parameters' names. */
class Functions {
  private readonly byFile = new Map<string, Map<string, string[]>>();

  constructor(private readonly sources: ReadonlyMap<string, ts.SourceFile>) {}

  /** The name of the parameter an argument is passed as, when the callee is declared in the file or imported from a relative module. */
  parameterOf(call: ts.CallExpression | ts.NewExpression, position: number): string | undefined {
    if (!ts.isIdentifier(call.expression) || position < 0) return undefined;
    const source = call.getSourceFile();
    const name = call.expression.text;
    const local = this.declaredIn(source.fileName).get(name);
    if (local) return local[position];
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || !statement.moduleSpecifier.text.startsWith('.')) continue;
      const bindings = statement.importClause?.namedBindings;
      const imported = bindings && ts.isNamedImports(bindings) ? bindings.elements.find((element) => element.name.text === name) : undefined;
      if (!imported) continue;
      const base = path.resolve(path.dirname(source.fileName), statement.moduleSpecifier.text);
      const file = [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => this.sources.has(candidate));
      return file ? this.declaredIn(file).get((imported.propertyName ?? imported.name).text)?.[position] : undefined;
    }
    return undefined;
  }

  private declaredIn(file: string): Map<string, string[]> {
    let functions = this.byFile.get(file);
    if (!functions) {
      const found = new Map<string, string[]>();
      const names = (parameters: ts.NodeArray<ts.ParameterDeclaration>) => parameters.map((parameter) => (ts.isIdentifier(parameter.name) ? parameter.name.text : ''));
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionDeclaration(node) && node.name) found.set(node.name.text, names(node.parameters));
        if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
          found.set(node.name.text, names(node.initializer.parameters));
        }
        ts.forEachChild(node, visit);
      };
      const source = this.sources.get(file);
      if (source) visit(source);
      functions = found;
      this.byFile.set(file, functions);
    }
    return functions;
  }
}

/**
 * Every dotted code the code base can answer with: the string literals shaped like a code, less those that are
 * something else by their place: event names (`raise(…)`), stored field paths (property names, `state.…`), types,
 * comparisons, module names, issue paths and places in a document (PLACE_PARAMETERS).
 */
function codesInCode(): Found[] {
  return codesIn(new Map(sourceFiles().map((file) => [file, fs.readFileSync(file, 'utf8')])));
}

/** The codes in these sources, by file name. */
function codesIn(texts: ReadonlyMap<string, string>): Found[] {
  const found: Found[] = [];
  const sources = new Map([...texts].map(([file, text]) => [file, ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)]));
  const functions = new Functions(sources);
  for (const [file, source] of sources) {
    const visit = (node: ts.Node): void => {
      if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && CODE.test(node.text)) {
        const status = classify(node, functions);
        if (status !== 'not a code') {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart());
          found.push({ code: node.text, status, where: `${path.relative(root, file)}:${line + 1}` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

function classify(literal: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral, functions: Functions): number | undefined | 'not a code' {
  const parent = literal.parent;
  if (/^(state|derived)\./.test(literal.text) || /\.(json|ya?ml|js|ts|md|html)$/.test(literal.text)) return 'not a code';
  if ((ts.isPropertyAssignment(parent) && parent.name === literal) || ts.isElementAccessExpression(parent) || ts.isLiteralTypeNode(parent)) return 'not a code';
  // The field an issue is about, in an example's `errors` (`{ path: 'buyer.address', … }`).
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name) && parent.name.text === 'path') return 'not a code';
  if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent)) return 'not a code';
  if (ts.isBinaryExpression(parent) || ts.isCaseClause(parent)) return 'not a code';
  // A list of strings only is a list of allowed values (`['due_date.asc', 'due_date.desc']`).
  if (ts.isArrayLiteralExpression(parent) && parent.elements.every((element) => ts.isStringLiteralLike(element))) return 'not a code';
  // Decorator arguments are allowed values (`@IsIn(['due_date.asc', …])`), not answers.
  if (ts.findAncestor(literal, ts.isDecorator)) return 'not a code';
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
    const name = calleeName(parent);
    const position = parent.arguments?.indexOf(literal) ?? -1;
    // Event names, and the field paths that issues are reported under.
    if (name.endsWith('raise') || name === 'require' || ((name === 'attempt' || name === 'problem') && position === 0)) return 'not a code';
    if (PLACE_PARAMETERS.has(functions.parameterOf(parent, position) ?? '')) return 'not a code';
    if (name === 'ValidationError.of') return position === 1 ? 400 : 'not a code';
    if (name === 'HttpProblem' && position === 1) {
      const status = parent.arguments?.[0];
      return status && ts.isNumericLiteral(status) ? Number(status.text) : undefined;
    }
    if (name === 'NotFoundError') return 'not a code';
    if (name === 'super') return STATUS_OF_ERROR[baseClassOf(literal) ?? ''];
    if (name in STATUS_OF_ERROR) return name === 'ValidationError' ? 400 : STATUS_OF_ERROR[name];
  }
  return undefined;
}

/** `NotFoundError(resource, id)` answers `<resource>.not_found`; resources are named in the use cases. */
function notFoundCodes(): string[] {
  return ['partner', 'contact', 'marketable', 'partnership', 'invoice', 'payment'].map((resource) => `${resource}.not_found`);
}

/**
 * The issue codes of a refused request body or query (`request.invalid`): one per class-validator constraint the DTOs
 * use, named as apps/api/src/http/validation.ts names them.
 */
async function requestIssueCodes(): Promise<string[]> {
  const classes: (abstract new (...args: never[]) => unknown)[] = [];
  for (const file of pluginSourceFiles().filter((name) => name.endsWith('.dto.ts'))) {
    const module = (await import(file)) as Record<string, unknown>;
    for (const value of Object.values(module)) if (typeof value === 'function') classes.push(value as abstract new (...args: never[]) => unknown);
  }
  const storage = getMetadataStorage();
  const constraints = classes.flatMap((target) =>
    storage.getTargetValidationMetadatas(target, '', true, false).map((metadata) => (metadata.type === 'customValidation' ? (metadata.name ?? '') : metadata.type)),
  );
  const codes = [...constraints, 'whitelistValidation']
    .filter((constraint) => constraint && constraint !== 'conditionalValidation' && !DOCUMENTATION_CONSTRAINTS.has(constraint))
    .map((constraint) => (constraint === 'whitelistValidation' ? 'request.unknown_property' : `request.${constraint.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`));
  return [...new Set(codes)].sort();
}

function catalogue(): Map<string, string> {
  const source = fs.readFileSync(path.join(DOCS_DIR, `${ERRORS_PAGE}.md`), 'utf8');
  const rows = new Map<string, string>();
  for (const match of source.matchAll(/^\|\s*`([^`]+)`\s*\|([^|]*)\|/gm)) rows.set(match[1] ?? '', (match[2] ?? '').trim());
  return rows;
}

describe('the errors page (docs/errors.md)', () => {
  const documented = catalogue();
  const found = codesInCode();
  if (process.env.PRINT_CODES) void requestIssueCodes().then((codes) => console.log(JSON.stringify(codes)));

  it('lists every error code the code base can answer with', () => {
    const missing = [...new Set([...found.map((entry) => entry.code), ...notFoundCodes()])].filter((code) => !documented.has(code)).sort();
    const where = (code: string) => found.find((entry) => entry.code === code)?.where ?? 'NotFoundError';
    expect(missing.map((code) => `${code} (${where(code)})`)).toEqual([]);
  });

  it('reads no place in a document as a code, and still finds the codes beside one', () => {
    const rules = path.join(root, 'packages/example/src/rules');
    const found = codesIn(
      new Map([
        [path.join(rules, 'rule.ts'), 'export function finding(rule: string, message: string, term?: string, pointer?: string) { return { rule, message, term, pointer }; }'],
        [
          path.join(rules, 'core.ts'),
          [
            "import { finding } from './rule';",
            "const check = (value: string, rule: string, pointer: string) => finding(rule, value, undefined, pointer);",
            "finding('BR-07', 'The buyer name.', 'BT-44', 'buyer.name');",
            "check('1.500', 'BR-DEC-16', 'totals.prepaid');",
            // A code passed where another function has its pointer, and one passed as a message.
            "refuse('invoice.buyer_name_required', 'buyer.name');",
            "finding('BR-07', 'buyer.name_missing');",
          ].join('\n'),
        ],
      ]),
    );
    expect(found.map((entry) => entry.code)).toEqual(['invoice.buyer_name_required', 'buyer.name', 'buyer.name_missing']);
  });

  it('lists every issue code of a request the DTOs refuse', async () => {
    const codes = await requestIssueCodes();
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((code) => !documented.has(code))).toEqual([]);
  });

  it('gives each code the status the API answers it with', () => {
    const wrong = found
      .filter((entry) => entry.status !== undefined && documented.has(entry.code) && !(documented.get(entry.code) ?? '').includes(String(entry.status)))
      .map((entry) => `${entry.code}: the page says "${documented.get(entry.code)}", ${entry.where} answers ${entry.status}`);
    expect([...new Set(wrong)]).toEqual([]);
  });

  it('gives each code its own anchor on the page', () => {
    const page = Guide.load().page(ERRORS_PAGE);
    expect(page?.codes).toEqual([...documented.keys()]);
    expect(new Set(page?.codes).size).toBe(page?.codes.length);
  });
});
