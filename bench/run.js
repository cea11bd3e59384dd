#!/usr/bin/env node
// Runs a TypeScript benchmark of bench/ without a build: `node bench/run.js repo` runs bench/repo.bench.ts.
// Same approach as tools/stack/bin/stack.js: @swc/core compiles each .ts module as it is required (with the
// decorator settings of jest.preset.js, which inversify needs), and the `@invoicing/*` aliases of
// tsconfig.base.json resolve to the packages' src/index.ts files, as in Jest's moduleNameMapper.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.join(__dirname, '..');
const { compilerOptions } = require('../tsconfig.base.json');
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

const name = process.argv[2];
const file = name ? path.join(__dirname, `${name}.bench.ts`) : undefined;
if (!file || !fs.existsSync(file)) {
  console.error(`usage: node bench/run.js <name>  (runs bench/<name>.bench.ts)`);
  process.exit(2);
}
require(file)
  .main(process.argv.slice(3))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
