// Lets Node require the workspace's TypeScript without a build: @swc/core (already the Jest compiler) compiles
// each .ts module as it is required, with the decorator settings of jest.preset.js (inversify needs them), and
// the `@invoicing/*` aliases of tsconfig.base.json resolve to the packages' sources, as in Jest.
// Used by scripts (`npm run db:indexes`) and benchmarks: `require('@invoicing/scripts/register-ts')` before requiring a .ts file.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.join(__dirname, '..', '..');
// Read, not required: the workspace's settings are not a module of this project.
const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
