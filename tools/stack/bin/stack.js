#!/usr/bin/env node
// Entry point of `npm run stack:up|down|status`.
// The stack is written in TypeScript like the rest of the workspace. Node 20 cannot run .ts, so this file
// compiles each .ts module as it is required, with @swc/core: already the workspace's Jest compiler (root
// devDependency), so this adds no dependency and no build step, and costs milliseconds.
'use strict';
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

require('../src/cli.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
