// Lint rules that guard the architecture: the dependency rule (ARCHITECTURE.md) is enforced here, not by convention.
import { builtinModules } from 'node:module';
import devkit from '@nx/devkit';
import nx from '@nx/eslint-plugin';

// @nx/enforce-module-boundaries reads Nx's cached project graph and, when there is none, skips every file after a
// mere warning: the dependency rule would pass without being checked. Refuse to lint instead.
try {
  devkit.readCachedProjectGraph();
} catch (error) {
  throw new Error('No Nx project graph, so the dependency rule (@nx/enforce-module-boundaries) cannot run. Compute it first: `npx nx show projects` (`npm run lint` does).', { cause: error });
}

/** What a domain package may import from npm (ARCHITECTURE.md, "The dependency rule"). */
const domainExternals = ['decimal.js', 'uuid', 'currency-codes', 'fastest-levenshtein', '@noble/hashes/*', 'inversify', 'reflect-metadata', 'class-validator', '@jest/globals', 'fast-check'];

/** Frameworks, drivers and I/O the domain must never see, named so that even a package not installed yet is refused. */
const forbiddenInDomain = [
  'mongoose', 'mongodb', 'express', 'fastify', 'keycloak-connect', 'jose', 'pino', 'axios', 'undici',
  ...builtinModules.flatMap((name) => (name.startsWith('node:') ? [name] : [name, `node:${name}`])),
];

/** The dependency rule between projects, by their tags. */
const boundaries = {
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints: [
    { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], allowedExternalImports: domainExternals },
    { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter'] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter'] },
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:tool'] },
    // Along the arrows: core ← invoice ← billing.
    { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core'] },
    { sourceTag: 'scope:invoice', onlyDependOnLibsWithTags: ['scope:core', 'scope:invoice'] },
    { sourceTag: 'scope:billing', onlyDependOnLibsWithTags: ['scope:core', 'scope:invoice', 'scope:billing'] },
  ],
};

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '.nx', '.stack', '.data', '**/*.d.ts'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    rules: {
      // `const { dropped: _dropped, ...kept } = state` is how a field is removed from immutable state.
      '@typescript-eslint/no-unused-vars': ['warn', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@nx/enforce-module-boundaries': ['error', boundaries],
    },
  },
  {
    // Tool configuration files are plain CommonJS that load shared presets by path.
    files: ['**/jest.config.js', 'jest.preset.js', 'eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The `invoicing` launcher runs the command line's TypeScript through the workspace's loader (a tool), as
    // `npm start` runs the API's; the command line's own code imports no tool.
    files: ['apps/cli/bin/*.js'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: [{ sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:tool'] }] },
      ],
    },
  },
  {
    // The API's end-to-end tests get real tokens and servers from the local stack (a tool); what ships does not.
    files: ['apps/*/src/**/*.spec.ts', 'apps/*/src/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: [{ sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:tool'] }] },
      ],
    },
  },
  {
    // The formats' agreement tests run the official EN 16931 validator (a test tool, ADR 0013); what ships does not.
    files: ['packages/integration/src/formats/**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints: [{ sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:adapter', 'type:tool'] }] },
      ],
    },
  },
  {
    // bench:api measures the API in the bench's own process, so it imports the app, through its package entry only
    // (apps/api/src/index.ts): Nx refuses any import of an app otherwise. Relative paths into a project still fail.
    files: ['bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { ...boundaries, allow: ['@invoicing/api'] }] },
  },
  {
    // Examples import their own package by name, exactly as a user of it would.
    files: ['packages/*/examples/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['packages/core/src/**/*.ts', 'packages/invoice/src/**/*.ts', 'packages/billing/src/**/*.ts'],
    // Specs may read fixture files; what ships stays free of I/O.
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenInDomain.map((name) => ({ name, message: 'The domain imports no framework, driver, HTTP or file system (ARCHITECTURE.md).' })),
          patterns: [{ group: ['@nestjs/*', '@fastify/*', '@invoicing/integration', '@invoicing/integration/*', '@invoicing/api'], message: 'The domain imports no framework or adapter package.' }],
        },
      ],
    },
  },
];
