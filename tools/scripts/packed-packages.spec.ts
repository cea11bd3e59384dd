// What a developer outside this workspace gets: @invoicing/core, @invoicing/invoice and @invoicing/billing built, packed
// with `npm pack`, installed from the tarballs in a project under the system's temporary folder, and the invoice and
// billing READMEs' quick starts type-checked against the packed declarations and run with plain `node` (no workspace
// loader, no `paths`). @invoicing/integration is packed and installed with them for its `/formats` entry: its other
// entries need MongoDB.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(__dirname, '..', '..');
const PACKAGES = ['core', 'invoice', 'billing'] as const;
/** What is built, packed and installed. */
const PACKED = [...PACKAGES, 'integration'] as const;
/** An official EN 16931 example, beside the repository as CI lays it out (see packages/integration/src/formats). */
const UBL_EXAMPLE = join(root, '..', 'shared', 'fixtures', 'en16931', 'ubl', 'ubl-tc434-example5.xml');
/** Reads and validates a UBL file with @invoicing/integration/formats; then the same file with an element UBL has not. */
const FORMATS_SCRIPT = `const { readFileSync } = require('node:fs');
const { XSD_RULE, readInvoice, validate } = require('@invoicing/integration/formats');
async function main() {
  const bytes = readFileSync(process.argv[2]);
  const { document, syntax, findings } = await readInvoice(bytes);
  console.log(syntax, document.number, document.totals.amountDue, document.currency, findings.length);
  const broken = Buffer.from(bytes.toString('utf8').replace('<cbc:IssueDate>', '<cbc:NotInUbl>x</cbc:NotInUbl><cbc:IssueDate>'));
  console.log((await validate(broken)).filter((finding) => finding.rule === XSD_RULE).length > 0);
}
main().catch((error) => { console.error(error); process.exitCode = 1; });
`;
/** The packages whose README has a quick start, and what it prints. */
const QUICK_STARTS = [
  ['invoice', 'INV-000001 720.00\n220.00\n'],
  ['billing', '250 1\n2 0\nAPI calls — tier 1 (0 to 100) 100 × 0.1 10.00\nAPI calls — tier 2 (100 to ∞) 150 × 0.05 7.50\nPlatform fee 1 × 49 49.00\ndraft 79.80\n'],
] as const;

interface Packed {
  readonly name: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/** The environment of a child npm or node: without what the `npm test` that runs this spec set for the workspace. */
function outsideEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_package_|npm_lifecycle_|npm_config_(local_)?prefix$|npm_config_workspaces?$|NODE_PATH$|NODE_OPTIONS$)/i.test(name)),
  );
}

/** The npm packages the compiled files of an installed package require (`@scope/name/sub` counts as `@scope/name`). */
function requiredPackages(installed: string): string[] {
  const files = readdirSync(join(installed, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'));
  const specifiers = files.flatMap((file) => [...readFileSync(join(installed, 'dist', file), 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)].map((match) => match[1] ?? ''));
  return [...new Set(specifiers.map((specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/')))].sort();
}

/** The TypeScript block under the README's `## Quick start` heading. */
function quickStartOf(name: string): string {
  const match = /## Quick start\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8'));
  if (!match?.[1]) throw new Error(`packages/${name}/README.md has no \`\`\`ts block under "## Quick start"`);
  return match[1];
}

/** Type-checks a project's files with the given module resolution; returns the diagnostics, formatted. */
function typeCheck(files: readonly string[], resolution: 'node10' | 'node16'): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    ...(resolution === 'node10'
      ? { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }
      : { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }),
    // `console` without @types/node; the packages' own declarations are checked, not their dependencies'.
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: true,
  };
  const program = ts.createProgram(files, options);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('@invoicing/core, @invoicing/invoice, @invoicing/billing and @invoicing/integration (its /formats entry), packed and installed outside the workspace', () => {
  let work: string;
  let project: string;
  let packed: Packed[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'invoicing-packages-'));
    execFileSync(join(root, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', `--projects=${PACKED.join(',')}`, '--output-style=static'], {
      cwd: root,
      stdio: 'pipe',
    });
    const packing = execFileSync('npm', ['pack', ...PACKED.flatMap((name) => ['-w', `@invoicing/${name}`]), '--pack-destination', work, '--json'], {
      cwd: root,
      env: outsideEnv(),
      encoding: 'utf8',
    });
    packed = JSON.parse(packing) as Packed[];

    project = join(work, 'my-service');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-service', version: '1.0.0', private: true }));
    // As the READMEs say: the tarballs in one install (billing and integration depend on invoice, invoice on core), and what the quick starts import.
    const invoiceDependencies = (JSON.parse(readFileSync(join(root, 'packages/invoice/package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies;
    const install = [...packed.map(({ filename }) => join(work, filename)), ...['inversify', 'reflect-metadata'].map((name) => `${name}@${invoiceDependencies[name]}`)];
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...install], { cwd: project, env: outsideEnv(), stdio: 'pipe' });
    for (const [name] of QUICK_STARTS) writeFileSync(join(project, `${name}-quick-start.ts`), quickStartOf(name));
    writeFileSync(join(project, 'formats.js'), FORMATS_SCRIPT);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs the compiled entries with their declarations, the README and no sources', () => {
    for (const name of PACKAGES) {
      const files = packed.find((pack) => pack.name === `@invoicing/${name}`)?.files.map(({ path }) => path) ?? [];
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts']));
      expect(files.filter((path) => !path.startsWith('dist/') || /\.spec\.|\.data\./.test(path)).sort()).toEqual(['README.md', 'package.json']);
    }
  });

  it('packs @invoicing/integration with the XSDs its compiled validator reads from src/formats/xsd, and no sources', () => {
    const files = packed.find((pack) => pack.name === '@invoicing/integration')?.files.map(({ path }) => path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining(['dist/formats/index.js', 'dist/formats/xsd/xsd-validator.js', 'src/formats/xsd/ubl21/maindoc/UBL-Invoice-2.1.xsd', 'src/formats/xsd/cii-d16b/data/standard/CrossIndustryInvoice_100pD16B.xsd']),
    );
    expect(files.filter((path) => path.startsWith('src/') && !/\.xsd$|\/LICENSE-Apache-2\.0\.txt$|\/README\.md$/.test(path))).toEqual([]);
  });

  it('reads and validates a UBL invoice with @invoicing/integration/formats and plain node, the XSDs included', () => {
    const output = execFileSync(process.execPath, ['formats.js', UBL_EXAMPLE], { cwd: project, env: outsideEnv(), encoding: 'utf8' });
    expect(output).toBe('ubl TOSL110 2337.50 DKK 0\ntrue\n');
  });

  it.each(PACKAGES)('requires at run time exactly the dependencies @invoicing/%s declares', (name) => {
    const installed = join(project, 'node_modules', '@invoicing', name);
    const { dependencies } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(requiredPackages(installed)).toEqual(Object.keys(dependencies).sort());
  });

  it.each(['node10', 'node16'] as const)('type-checks the READMEs\' quick starts against the packed declarations (moduleResolution %s)', (resolution) => {
    expect(typeCheck(QUICK_STARTS.map(([name]) => join(project, `${name}-quick-start.ts`)), resolution)).toEqual([]);
  });

  it.each(QUICK_STARTS)('runs the %s README quick start with plain node', (name, printed) => {
    const { outputText } = ts.transpileModule(readFileSync(join(project, `${name}-quick-start.ts`), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    writeFileSync(join(project, `${name}-quick-start.js`), `${outputText}\nquickStart().catch((error) => { console.error(error); process.exitCode = 1; });\n`);

    const output = execFileSync(process.execPath, [`${name}-quick-start.js`], { cwd: project, env: outsideEnv(), encoding: 'utf8' });
    expect(output).toBe(printed);
  });
});
